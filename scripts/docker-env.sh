#!/usr/bin/env sh
# Writes a .env with fresh random secrets for docker compose (once; an existing .env is kept).
set -eu
cd "$(dirname "$0")/.."
[ -f .env ] && { echo ".env exists; keeping it"; exit 0; }
rand() { node -e "process.stdout.write(require('crypto').randomBytes($1).toString('$2'))"; }
umask 077
cat > .env <<ENV
POSTGRES_PASSWORD=$(rand 24 hex)
CODE_PEPPER=$(rand 32 base64url)
DELIVERY_KEY=$(rand 32 base64)
GRANT_SIGNING_KEY=$(rand 32 base64)
BOOTSTRAP_ADMIN_TOKEN=rds_$(rand 32 base64url)
ENV
echo "Wrote .env; your first admin token is the BOOTSTRAP_ADMIN_TOKEN in it."
