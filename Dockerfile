# One image for every role: `--role api|worker|all` (or ROLE) picks what a container runs.
# Node 20.19 or later (package.json "engines"): Vite and @nestjs/throttler need it.
FROM node:20-bookworm-slim AS build
# argon2 compiles its native addon from source.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
COPY web ./web
COPY scripts ./scripts
# The server (tsc) and the console (Vite, into web/dist); then the build tools go.
RUN node -e "require('./scripts/prepare').ensureBuilt()" && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# SERVICE_RUNTIME (src/config/runtime.ts): argon2's buffers go back to the system after each hash; V8's heap kept near what is live.
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 GLIBC_TUNABLES=glibc.malloc.hugetlb=1
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# The one place the service writes by default (NOTIFY_FILE=var/notifications.jsonl): owned by the user it runs as.
RUN mkdir -p /app/var && chown node:node /app/var
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=25", "dist/src/main.js"]
