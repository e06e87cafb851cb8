# syntax=docker/dockerfile:1
# meshlint in a container: the first stage builds the static binary
# (make static), the final image holds that binary and nothing else.
#
#   docker build -t meshlint .
#   docker run --rm -v "$PWD:/src" -w /src meshlint --format gcc .

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential pkg-config libyaml-dev libpcre2-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# make static also checks that ldd finds no dynamic dependency
RUN make BUILD=build/static BIN=build/static/meshlint LDFLAGS=-static \
      PKG_LIBS="$(pkg-config --static --libs yaml-0.1 libpcre2-8)" all \
 && sh tests/static_check.sh build/static/meshlint

FROM scratch
COPY --from=build /src/build/static/meshlint /meshlint
WORKDIR /src
ENTRYPOINT ["/meshlint"]
