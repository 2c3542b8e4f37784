# pageviews: build, unit-test and package the C++ service.
# Stages: deps (toolchain + Drogon), build, test (ctest; build target "test"),
# runtime (the image that ships). Base: Debian 13 "trixie", whose packages
# pin every dependency to one reviewed, security-maintained set.
ARG BASE_IMAGE=debian:trixie-slim

FROM ${BASE_IMAGE} AS deps
# Debian's libdrogon-dev forgets the -dev packages its CMake config needs.
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    set -eux; \
    rm -f /etc/apt/apt.conf.d/docker-clean; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        g++ cmake make dpkg-dev libgtest-dev \
        libdrogon-dev libjsoncpp-dev libpq-dev libmariadb-dev libsqlite3-dev \
        libbrotli-dev uuid-dev zlib1g-dev libhiredis-dev libyaml-cpp-dev libssl-dev \
        prometheus-cpp-dev

FROM deps AS build
WORKDIR /src
COPY CMakeLists.txt ./
COPY src ./src
COPY tests/unit ./tests/unit
# Debian's hardening flags, as a Debian package of the app would get them:
# PIE, -fstack-protector-strong, -D_FORTIFY_SOURCE, RELRO and -z now.
# CMake reads CXXFLAGS and LDFLAGS, not CPPFLAGS, so those join CXXFLAGS.
ENV DEB_BUILD_MAINT_OPTIONS=hardening=+all
RUN set -eux; \
    eval "$(dpkg-buildflags --export=sh)"; \
    export CXXFLAGS="$CXXFLAGS $CPPFLAGS"; \
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -Wno-dev; \
    cmake --build build -j"$(nproc)"
# Given late, so that a new commit rebuilds one small file, not the app.
ARG PAGEVIEWS_REVISION=unknown
RUN cmake -S . -B build -DPAGEVIEWS_REVISION="$PAGEVIEWS_REVISION" -Wno-dev >/dev/null \
    && cmake --build build -j"$(nproc)"
# The runtime stage installs exactly the packages that own the shared
# libraries the binary loads: no compiler, no headers, nothing guessed.
SHELL ["/bin/bash", "-Eeuo", "pipefail", "-c"]
RUN ldd build/pageviews | awk '$3 ~ /^\// {print $3}' | xargs realpath \
        | xargs dpkg-query --search | cut -d: -f1 | sort -u > build/runtime-packages.txt; \
    cat build/runtime-packages.txt; \
    strip --strip-unneeded build/pageviews

FROM build AS test
RUN cd build && ctest --output-on-failure

FROM ${BASE_IMAGE} AS runtime
COPY --from=build /src/build/runtime-packages.txt /tmp/
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    set -eux; \
    rm -f /etc/apt/apt.conf.d/docker-clean; \
    apt-get update; \
    # ca-certificates: so that sslmode=verify-full can trust the system store.
    DEBIAN_FRONTEND=noninteractive xargs -a /tmp/runtime-packages.txt \
        apt-get install -y --no-install-recommends ca-certificates; \
    rm /tmp/runtime-packages.txt; \
    mkdir -p /usr/share/doc/pageviews; \
    dpkg-query --show --showformat='${Package}=${Version}\n' | tee /usr/share/doc/pageviews/packages.txt; \
    groupadd --system --gid 10001 pageviews; \
    useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/pageviews --create-home \
        --shell /usr/sbin/nologin pageviews; \
    # su, mount, passwd and friends: nothing here may gain privileges, even
    # where no-new-privileges is not set (a plain docker run).
    find / -xdev -type f -perm /6000 -exec chmod ug-s {} +
# Taken from the test stage, so no image ships whose unit tests failed.
COPY --from=test /src/build/pageviews /usr/local/bin/pageviews
USER pageviews:pageviews
# The zero-setup SQLite file lands here, like a fresh Django project's db.
WORKDIR /var/lib/pageviews
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["pageviews", "healthcheck"]
ENTRYPOINT ["pageviews"]
CMD ["serve"]
# Last, so that a new commit changes only metadata here.
ARG PAGEVIEWS_VERSION=1.0.0
ARG PAGEVIEWS_REVISION=unknown
ARG PAGEVIEWS_CREATED=unknown
ARG PAGEVIEWS_SOURCE=unknown
LABEL org.opencontainers.image.title="pageviews" \
      org.opencontainers.image.description="A page-view counter: C++ (Drogon) app image" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="${PAGEVIEWS_SOURCE}" \
      org.opencontainers.image.version="${PAGEVIEWS_VERSION}" \
      org.opencontainers.image.revision="${PAGEVIEWS_REVISION}" \
      org.opencontainers.image.created="${PAGEVIEWS_CREATED}"
