# An optimized Keycloak image with keycloak-warden: the official image at the patched release that pom.xml pins
# (keycloak.version; ComposeFileTest fails when the two differ), the warden jar in providers/ and the build step
# done here, so that a container starts with `start --optimized` and skips the augmentation at every start.
#
#   ./mvnw -DskipTests package          # writes target/keycloak-warden.jar
#   docker build -t keycloak-warden:0.1.0 .
#
# The login theme `warden` is inside the jar (theme/ and META-INF/keycloak-themes.json), so providers/ carries
# both; nothing goes into themes/.

FROM quay.io/keycloak/keycloak:26.7.5 AS builder

# Build-time options warden needs: PostgreSQL, /health and /metrics on the management port (9000), the
# embedded Infinispan cluster that holds the login guard's counters (docs/operations.md lists them).
ENV KC_DB=postgres \
    KC_HEALTH_ENABLED=true \
    KC_METRICS_ENABLED=true \
    KC_CACHE=ispn

COPY --chown=keycloak:keycloak target/keycloak-warden.jar /opt/keycloak/providers/keycloak-warden.jar
RUN /opt/keycloak/bin/kc.sh build \
    # the audit chain's state directory, owned by keycloak, so that a volume mounted there starts writable
    && mkdir -p /opt/keycloak/data/warden

FROM quay.io/keycloak/keycloak:26.7.5
COPY --from=builder /opt/keycloak/ /opt/keycloak/
# The audit chain's state file must survive restarts and belong to one node: mount a volume per node here.
ENV KC_SPI_EVENTS_LISTENER__WARDEN_AUDIT__STATE_FILE=/opt/keycloak/data/warden/warden-audit-chain.state
USER keycloak
ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]
CMD ["start", "--optimized"]
