# Multi-stage build: a static faultline binary on a minimal, non-root image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/faultline ./cmd/faultline

FROM gcr.io/distroless/static-debian12:nonroot
# distroless/static carries the CA certificates the AWS endpoints need.
COPY --from=build /out/faultline /usr/local/bin/faultline
WORKDIR /work
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/faultline"]
CMD ["scan", "--help"]
