package dev.kcwarden.guard;

import dev.kcwarden.LogText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The invalid values found while reading one authenticator configuration. Keycloak stores an authenticator config
 * exactly as the admin sends it (its admin API has no validation hook for extensions), so warden cannot refuse a bad
 * value on save: it uses the default instead, logs one warning per distinct problem (not one per request, which a flood
 * would turn into a log flood; at most {@value #MAX_LISTED} per configuration and {@value #MAX_WARNED} per node, never
 * repeated), and lists the problems in {@code GET /admin/realms/{realm}/warden/info}.
 */
final class ConfigProblems {

    private static final Logger LOG = Logger.getLogger(ConfigProblems.class);
    /** Problems already logged; bounded, so that many changing bad values cannot grow memory. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private static final int MAX_WARNED = 1_000;
    private static final AtomicBoolean WARNED_FULL = new AtomicBoolean();
    /** Problems kept per configuration; beyond, one more entry says how many were left out. */
    static final int MAX_LISTED = 20;

    private final String where;
    private final List<String> found = new ArrayList<>();
    private int leftOut;

    ConfigProblems(String where) {
        this.where = LogText.printable(where, 300);
    }

    void add(String problem) {
        if (found.size() >= MAX_LISTED) {
            leftOut++;
            return;
        }
        found.add(problem);
        String line = where + ": " + problem;
        if (WARNED.size() < MAX_WARNED) {
            if (WARNED.add(line)) {
                LOG.warn(line);
            }
        } else if (WARNED_FULL.compareAndSet(false, true)) {
            // never forgotten and warned again: a log flood would be worse than silence (warden/info lists them all)
            LOG.warnf(
                    "warden: more than %d different invalid guard settings on this node; further ones are listed in "
                            + "GET /admin/realms/{realm}/warden/info only",
                    MAX_WARNED);
        }
    }

    List<String> found() {
        if (leftOut == 0) {
            return List.copyOf(found);
        }
        List<String> all = new ArrayList<>(found);
        all.add("and " + leftOut + " more");
        return List.copyOf(all);
    }

    /** A whole number in [min, max] from {@code config}, or the fallback (recording why) when it is not one. */
    int number(Map<String, String> config, String property, int fallback, int min, int max) {
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
        add(property + " must be a whole number from " + min + " to " + max + "; using the default " + fallback
                + " instead");
        return fallback;
    }
}
