package dev.kcwarden.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The invalid values found while reading one authenticator configuration. Keycloak stores an authenticator
 * config exactly as the admin sends it (its admin API has no validation hook for extensions), so warden cannot
 * refuse a bad value on save: it uses the default instead, logs one warning per distinct problem (not one per
 * request, which a flood would turn into a log flood), and lists the problems in
 * {@code GET /admin/realms/{realm}/warden/info}.
 */
final class ConfigProblems {

    private static final Logger LOG = Logger.getLogger(ConfigProblems.class);
    /** Problems already logged; bounded, so that many changing bad values cannot grow memory. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
    private static final int MAX_WARNED = 1_000;

    private final String where;
    private final List<String> found = new ArrayList<>();

    ConfigProblems(String where) {
        this.where = where;
    }

    void add(String problem) {
        found.add(problem);
        String line = where + ": " + problem;
        if (WARNED.size() >= MAX_WARNED) {
            WARNED.clear();
        }
        if (WARNED.add(line)) {
            LOG.warn(line);
        }
    }

    List<String> found() {
        return List.copyOf(found);
    }

    /** A whole number in [min, max] from {@code config}, or the fallback (recording why) when it is not one. */
    int number(java.util.Map<String, String> config, String property, int fallback, int min, int max) {
        String raw = config == null ? null : config.get(property);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // recorded below
        }
        add(property + " must be a whole number from " + min + " to " + max + "; using the default " + fallback + " instead");
        return fallback;
    }
}
