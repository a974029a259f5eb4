# syntax=docker/dockerfile:1
#
# Switchboard as a container: the browser apps are built with the devDependencies, the server runs with
# the production dependencies only. The stages run the commands CI runs (`npm ci`, `npm run build`; the
# runtime `npm ci --omit=dev` is what the production-install test checks). This image has not been built
# on the project's machines (no image registry is reachable there).
#
#   docker build -t switchboard .
#   docker run -p 3000:3000 -v switchboard-data:/data \
#     -e JWT_SECRET=… -e WIDGET_ORIGINS=https://shop.example -e PUBLIC_URL=https://support.example switchboard
#
# Or compose.yaml: the app on PostgreSQL.

ARG NODE_VERSION=24

# ---- build: devDependencies, then the browser apps into dist/public --------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime: production dependencies, the server's sources (Node runs the .ts directly), dist/ ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# What the server imports (the browser apps' sources stay in the build stage).
COPY main.ts ./
COPY app ./app
COPY bot ./bot
COPY contract ./contract
COPY core ./core
COPY db ./db
COPY events ./events
COPY jobs ./jobs
COPY server ./server
COPY scripts ./scripts
COPY --from=build /app/dist ./dist
# The migrated PGlite cluster a new DATA_DIR is copied from (db/pglite-template.ts): the first start
# takes a copy instead of creating and migrating a cluster. (npm ci's postinstall ran before the sources
# were here.) Without the template's archive: only the tests' in-memory databases read it. Node's compile
# cache, where the node user can write it: later starts load faster.
RUN node scripts/make-pglite-template.ts --strict --without-archive
ENV NODE_COMPILE_CACHE=/home/node/.cache/node-compile-cache
# DATA_DIR: embedded PGlite (when DATABASE_URL is unset), uploaded media, generated dev secrets.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# /readyz answers 503 while Switchboard cannot do its job (database, Telegram, delivery backlog).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server is the container's process, no npm or shell in between: docker stop's SIGTERM reaches it
# directly, and it drains within about 8 s (docker's default grace period is 10 s).
STOPSIGNAL SIGTERM
# Node flags: app/node-flags.ts.
CMD ["node", "--max-semi-space-size=16", "main.ts"]
