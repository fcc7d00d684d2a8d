# Build the jar first (mvn -B package -DskipTests), then: docker build -t parley:latest .
# The defaults keep the API on 127.0.0.1 while dev tokens are on, which nothing outside the
# container reaches: run it with PARLEY_DEV_TOKENS=off and PARLEY_JWT_SECRET (or a JWKS URL), as
# k8s/ does, or, for a throwaway trial only, PARLEY_DEV_TOKENS=insecure-public.
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/parley.jar /app/parley.jar
EXPOSE 8080 8558 25520
USER 10001
ENTRYPOINT ["java", "-jar", "/app/parley.jar"]
