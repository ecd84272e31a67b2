# idcsim in a container image: a static binary on a distroless base, run as a non-root user.
#
#   docker build -t idcsim .
#   docker run --rm idcsim run example:default --format markdown
#
# The builder's Go is the one go.mod asks for (TestDockerfile checks the tag against its go line).
FROM golang:1.26 AS build
ENV GOTOOLCHAIN=local
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags='-s -w' -o /out/idcsim ./cmd/idcsim

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/idcsim /usr/local/bin/idcsim
# nonroot, by number so that Kubernetes' runAsNonRoot can check it
USER 65532:65532
# reports go to --out, by default idcsim-report in the working directory
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/idcsim"]
