# PostgreSQL with PostGIS for the db:provision tests; each test run starts its own server.
if ! dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null
fi
if command -v pg_config >/dev/null; then
  POSTGRES_BIN_DIR=$(pg_config --bindir)
else
  POSTGRES_BIN_DIR=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
export POSTGRES_BIN_DIR
echo "PostgreSQL binaries: $POSTGRES_BIN_DIR"
