# The plumbline image: the `plumbline` CLI (sidecar, exporter, serve-model, baseline, drift) and the alert → retrain
# bridge, built from this repository. Used by docker-compose.yml and examples/kubernetes.
#   docker build -t plumbline:dev .
FROM node:20-bookworm-slim AS build
WORKDIR /app
# npm 10 (Node 20's) ignores package.json's allowScripts: skip onnxruntime-node's CUDA download here too.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY . .
RUN npm ci --no-audit --no-fund \
 && npx tsc -b \
 && npm prune --omit=dev --workspaces --include-workspace-root

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
RUN ln -s /app/bin/plumbline.js /usr/local/bin/plumbline && mkdir -p /data && chown node:node /data
USER node
ENTRYPOINT ["plumbline"]
CMD ["--help"]
