package dev.kcwarden;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Published Keycloak vulnerabilities that a warden deployment must not run with, and the Keycloak releases that
 * fix them. One table for every place that tells: the start-up warning and provider info on the server, the
 * {@code /warden/info} answer, the quickstart's banner, the oldest-version test and the support matrix in
 * docs/installation.md (a test checks the matrix against this table).
 *
 * <p>A release is affected when it is at or after {@link Advisory#introducedIn()} and before the fix on its own
 * line ({@code major.minor}). A line that got no fix is affected when it is older than the newest fixed line;
 * a line newer than every fixed line branched after the fix and carries it. Where a source did not say which
 * older lines got a backport, only the confirmed fixes are listed, so an unknown line is reported as affected:
 * the table errs towards a warning.
 *
 * <p>As known on the date of {@link #AS_OF}. Keycloak's release notes and GitHub security advisories are the
 * authority; a newer Keycloak may fix more than this build knows.
 */
public final class KeycloakAdvisories {

    /** When this table was last compared with Keycloak's advisories. */
    public static final String AS_OF = "2026-12-02";

    /** The rating the publishing source gave (CVSS where one was published, else the vendor's word). */
    public enum Severity {
        CRITICAL, HIGH, MEDIUM
    }

    /** One published vulnerability. */
    public record Advisory(String id, Severity severity, String rating, String effect, String introducedIn,
            List<String> fixedIn, String appliesWhen) {

        /** Whether {@code version} carries this vulnerability (see the class comment for the rule). */
        public boolean affects(Version version) {
            if (introducedIn != null && version.compareTo(Version.parse(introducedIn).orElseThrow()) < 0) {
                return false;
            }
            List<Version> fixes = fixedIn.stream().map(f -> Version.parse(f).orElseThrow()).toList();
            for (Version fix : fixes) {
                if (fix.sameLine(version)) {
                    return version.compareTo(fix) < 0;
                }
            }
            Version newestFix = fixes.stream().max(Comparator.naturalOrder()).orElseThrow();
            return version.line() < newestFix.line();
        }

        /** E.g. {@code CVE-2026-18963 (critical, fixed in 26.4.15, 26.6.6, 26.7.2)}. */
        public String summary() {
            return id + " (" + severity.name().toLowerCase(java.util.Locale.ROOT) + ", fixed in "
                    + String.join(", ", fixedIn) + ")";
        }
    }

    private static final List<Advisory> KNOWN = List.of(
            new Advisory("CVE-2026-18963", Severity.CRITICAL, "CVSS 9.1",
                    "an unauthenticated attacker sets a new password for any account through the reset-credentials"
                            + " flow (Forgot Password on); a public exploit exists",
                    "26.0.0", List.of("26.4.15", "26.6.6", "26.7.2"), null),
            new Advisory("CVE-2026-4325", Severity.MEDIUM, "no score published",
                    "entries of the single-use object store (action tokens, and warden's limiter slots) can be"
                            + " deleted or replayed by an attacker",
                    null, List.of("26.2.15", "26.4.11", "26.5.7"), null),
            new Advisory("CVE-2026-4282", Severity.HIGH, "no score published",
                    "the same missing isolation of the single-use object store lets an attacker forge"
                            + " authorization codes",
                    null, List.of("26.2.15", "26.4.11", "26.5.7"), null),
            new Advisory("CVE-2026-35563", Severity.HIGH, "CVSS 8.5",
                    "the bundled LDAP client does not check the TLS host name of the directory server",
                    null, List.of("26.7.3"), "LDAP user federation over TLS"),
            new Advisory("CVE-2026-18218", Severity.MEDIUM, "medium",
                    "a client's not-before revocation is ignored", null, List.of("26.7.3"), null),
            new Advisory("CVE-2026-74909", Severity.HIGH, "CVSS 8.1",
                    "the authorization services policy enforcer can be bypassed with a crafted path",
                    null, List.of("26.7.4"), "Authorization Services policy enforcer"),
            new Advisory("CVE-2026-79651", Severity.HIGH, "CVSS 7.5",
                    "an unauthenticated request exhausts memory through the locale cache", null,
                    List.of("26.7.4"), null),
            new Advisory("CVE-2026-18212", Severity.HIGH, "CVSS 7.5",
                    "SAML requests leak native memory", null, List.of("26.7.4"), "SAML clients"),
            new Advisory("CVE-2026-17526", Severity.HIGH, "important (Red Hat)",
                    "an impersonating admin can gain realm admin rights", null, List.of("26.7.4"), null),
            new Advisory("CVE-2026-90997", Severity.HIGH, "CVSS 7.4",
                    "single-use entries (client assertions, DPoP proofs, one-time codes) are accepted again",
                    "26.7.0", List.of("26.7.4"), "the stateless feature on MySQL or MariaDB"),
            new Advisory("CVE-2026-16103", Severity.HIGH, "important (Red Hat)",
                    "CIBA token redemption skips the brute-force lockout", null, List.of("26.6.8", "26.7.5"), "CIBA"),
            new Advisory("CVE-2026-88770", Severity.HIGH, "important (Red Hat)",
                    "the device authorization grant issues tokens to users locked by brute-force detection", null,
                    List.of("26.6.8", "26.7.5"), "the device authorization grant"));

    private KeycloakAdvisories() {
    }

    /** Every advisory in the table, newest fix last within a severity. */
    public static List<Advisory> all() {
        return KNOWN;
    }

    /** The advisories that {@code keycloakVersion} carries; empty when it carries none or cannot be read. */
    public static List<Advisory> affecting(String keycloakVersion) {
        return Version.parse(keycloakVersion)
                .map(version -> KNOWN.stream().filter(a -> a.affects(version)).toList())
                .orElse(List.of());
    }

    /** Whether {@code keycloakVersion} carries a critical advisory. */
    public static boolean hasCritical(String keycloakVersion) {
        return affecting(keycloakVersion).stream().anyMatch(a -> a.severity() == Severity.CRITICAL);
    }

    /**
     * The warning an operator reads at start, or empty when the version carries nothing this build knows of.
     * Names the critical and high advisories by id and says how many medium ones there are.
     */
    public static Optional<String> warning(String keycloakVersion) {
        List<Advisory> found = affecting(keycloakVersion);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        List<String> named = found.stream().filter(a -> a.severity() != Severity.MEDIUM).map(Advisory::summary).toList();
        long medium = found.stream().filter(a -> a.severity() == Severity.MEDIUM).count();
        StringBuilder text = new StringBuilder("Keycloak ").append(keycloakVersion).append(" has ")
                .append(found.size()).append(" published vulnerabilit").append(found.size() == 1 ? "y" : "ies");
        if (!named.isEmpty()) {
            text.append(": ").append(String.join("; ", named));
        }
        if (medium > 0) {
            text.append(named.isEmpty() ? ": " : "; and ").append(medium).append(" of medium severity");
        }
        text.append(". Upgrade Keycloak to ").append(newestFix(found))
                .append(" or later (docs/installation.md, support matrix).");
        return Optional.of(text.toString());
    }

    private static String newestFix(List<Advisory> found) {
        return found.stream().flatMap(a -> a.fixedIn().stream())
                .map(f -> Version.parse(f).orElseThrow())
                .max(Comparator.naturalOrder()).orElseThrow().toString();
    }

    /** A Keycloak release number, {@code major.minor.micro}; qualifiers after it are ignored. */
    public record Version(int major, int minor, int micro) implements Comparable<Version> {

        private static final Pattern RELEASE = Pattern.compile("^(\\d{1,4})\\.(\\d{1,4})\\.(\\d{1,4})(?=$|[-.+_])");

        /** {@code 26.7.5}, {@code 26.7.5-redhat-00001} or {@code 26.7.5.Final}; empty for anything else. */
        public static Optional<Version> parse(String text) {
            if (text == null) {
                return Optional.empty();
            }
            Matcher m = RELEASE.matcher(text.strip());
            if (!m.find()) {
                return Optional.empty();
            }
            return Optional.of(new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3))));
        }

        boolean sameLine(Version other) {
            return major == other.major && minor == other.minor;
        }

        /** The line as one comparable number: 26.7 is 26_0007. */
        long line() {
            return major * 10_000L + minor;
        }

        @Override
        public int compareTo(Version o) {
            return Comparator.comparingInt(Version::major).thenComparingInt(Version::minor)
                    .thenComparingInt(Version::micro).compare(this, o);
        }

        @Override
        public String toString() {
            return major + "." + minor + "." + micro;
        }
    }
}
