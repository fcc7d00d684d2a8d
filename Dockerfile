# Build the jar first (mvn -B package -DskipTests), then: docker build -t parley:latest .
# The defaults keep the API on 127.0.0.1 while dev tokens are on, which nothing outside the
# container reaches: run it with PARLEY_DEV_TOKENS=off and PARLEY_JWT_SECRET (or a JWKS URL), as
# k8s/ does, or, for a throwaway trial only, PARLEY_DEV_TOKENS=insecure-public.
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/parley.jar /app/parley.jar
# One start of the node, stopped as soon as it is ready, leaves the classes a start loads in a
# class-data archive; every start of the image maps them instead of loading them from the jar
# (docs/operations.md). ContainerImageIT runs this command and the entry point.
RUN PARLEY_EXIT_WHEN_READY=on PARLEY_DATA_DIR=/tmp/parley-training java -XX:ArchiveClassesAtExit=/app/parley.jsa -jar /app/parley.jar && rm -rf /tmp/parley-training
# The default data dir (./data) is written by the node's user, which may not write /app itself.
RUN mkdir /app/data && chown 10001:10001 /app/data
EXPOSE 8080 8558 25520
USER 10001
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/parley.jsa", "-jar", "/app/parley.jar"]
