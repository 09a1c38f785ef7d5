# ledgermirror: a multi-stage build of the one binary (pure Go, no cgo) on a
# small Debian with curl (health checks, deployments/compose/setup.sh).
#   docker build -t ledgermirror .
#   docker run --rm ledgermirror version
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=""
RUN CGO_ENABLED=0 go build -trimpath \
	-ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
	-o /out/ledgermirror ./cmd/ledgermirror

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --home-dir /data ledgermirror \
	&& mkdir -p /data /etc/ledgermirror && chown ledgermirror /data
COPY --from=build /out/ledgermirror /usr/local/bin/ledgermirror
USER ledgermirror
WORKDIR /data
VOLUME /data
EXPOSE 5000 5100
ENTRYPOINT ["ledgermirror"]
CMD ["serve", "--config", "/etc/ledgermirror/ledgermirror.yaml"]
