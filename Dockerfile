# syntax=docker/dockerfile:1
# Trovella Gateway. One image, two commands:
#   docker build -t trovella-gateway .
#   docker run … trovella-gateway npm run db:migrate   → migrations, a one-shot command run before a release
#   docker run … trovella-gateway                      → the server (non-root; SIGTERM drains and exits 0)
# It runs TypeScript with tsx (as `npm start` does), so there is no separate build output to keep in sync.
# test/ops/container-files.test.ts checks that every file and script named here exists.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall applies these (patch-package): fixes to dependencies that production needs too.
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    PGLITE_DATA_DIR=/data/pglite
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY schema ./schema
COPY drizzle ./drizzle
COPY src ./src
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000
# Liveness, not readiness: the process recovers from a database outage by itself (/readyz says when), so
# the container must not be marked unhealthy, and restarted, because the database is away.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
# node itself is PID 1 (no npm in between, which would not forward SIGTERM): src/main.ts handles the signal.
CMD ["node", "--import", "tsx", "src/main.ts"]
