# Build the jar first (mvn -B package -DskipTests), then: docker build -t parley:latest .
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/parley.jar /app/parley.jar
EXPOSE 8080 8558 25520
USER 10001
ENTRYPOINT ["java", "-jar", "/app/parley.jar"]
