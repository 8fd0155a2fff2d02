# superguard: one image, one command per role (`docker run superguard supervisor --rpc …`).
# Build: docker build --build-arg SUPERGUARD_COMMIT=$(git rev-parse --short=12 HEAD) -t superguard .
#
# The build stage runs exactly what .ci/run runs to install and build: `npm ci` (which installs,
# compiles better-sqlite3 when no prebuilt binary can be downloaded, and ends with npm's `prepare`:
# scripts/build.js). test/docker/dockerfile.test.ts keeps the two in step.

FROM node:20-bookworm-slim AS build
# better-sqlite3's node-gyp fallback needs a C++ toolchain and python3; git stamps nothing here
# (no .git in the context), so the commit comes from the build argument.
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ make python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ARG SUPERGUARD_COMMIT=unknown
ENV SUPERGUARD_COMMIT=${SUPERGUARD_COMMIT}
COPY package.json package-lock.json tsconfig.json biome.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY schema ./schema
COPY src ./src
COPY workers ./workers
COPY bench ./bench
COPY test ./test
RUN npm ci

# Production dependencies only (no TypeScript, Biome, anvil): the runtime image's node_modules.
FROM build AS prod-deps
RUN npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    SUPERGUARD_HEALTH_URL=http://127.0.0.1:9545/healthz
WORKDIR /app
COPY --from=prod-deps /app/package.json /app/package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/schema ./schema
COPY --from=build /app/dist ./dist
# Non-root: the node image's `node` user (uid 1000) owns only the data directory.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# Every listening role serves /healthz; set SUPERGUARD_HEALTH_URL to the role's port
# (ingress :8545, sequencer :5555, builder :8560; supervisor :9545 by default).
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.SUPERGUARD_HEALTH_URL).then((r) => process.exit(r.status === 200 || r.status === 206 ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/superguard.js"]
CMD ["--help"]

# The devnet runs on the runtime image plus one dev dependency, the anvil binary (~40 MB, from
# @foundry-rs/anvil-linux-amd64): the rest of the dev dependencies (TypeScript, Biome, EDR) stay out.
FROM runtime AS devnet
COPY --from=build /app/node_modules/@foundry-rs ./node_modules/@foundry-rs
CMD ["devnet"]
