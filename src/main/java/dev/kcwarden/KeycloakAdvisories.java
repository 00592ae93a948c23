package dev.kcwarden;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Published Keycloak vulnerabilities that a warden deployment must not run with, and the Keycloak releases that fix
 * them. One table for every place that tells: the start-up warning on the server, the {@code /warden/info} answer, the
 * quickstart's banner, the compatibility tests and the support matrix in docs/installation.md (a test checks the matrix
 * against this table).
 *
 * <p>The table was compared with Keycloak's advisories on {@link #AS_OF} and covers upstream releases up to
 * {@link #NEWEST_ASSESSED}. A release after that, a vendor or development build ({@code 26.4.10.redhat-00001},
 * {@code 999.0.0-SNAPSHOT}: their fixes follow their own numbering) and a version that cannot be read are
 * {@linkplain Status#NOT_ASSESSED not assessed}, and warden says so rather than calling them clean.
 *
 * <p>Within the assessed range a release is affected when it is at or after {@link Advisory#introducedIn()} and before
 * the fix on its own line ({@code major.minor}). A line that got no fix is affected when it is older than the newest
 * fixed line (26.5 for CVE-2026-18963), and clean when it is newer, because it branched after the fix. Where a source
 * did not say which older lines got a backport, only the confirmed fixes are listed, so such a line is reported as
 * affected: the table errs towards a warning.
 */
public final class KeycloakAdvisories {

    /** When this table was last compared with Keycloak's advisories. */
    public static final String AS_OF = "2026-12-02";

    /** The newest upstream release this table was assessed for; it carries none of the advisories below. */
    public static final String NEWEST_ASSESSED = "26.7.5";

    /** The publisher's rating, in three steps (the exact score is {@link Advisory#rating()}). */
    public enum Severity {
        CRITICAL,
        HIGH,
        MEDIUM
    }

    /** What this build can say about a Keycloak release. */
    public enum Status {
        /** Assessed, and carries at least one advisory. */
        AFFECTED,
        /** Assessed, and carries none of the advisories known on {@link #AS_OF}. */
        NONE_KNOWN,
        /** Newer than {@link #NEWEST_ASSESSED}, a vendor or development build, or unreadable. */
        NOT_ASSESSED
    }

    /** The verdict on one release: its status, the advisories it carries, and the version as read. */
    public record Assessment(Status status, List<Advisory> advisories, Optional<Version> version) {}

    /**
     * One published vulnerability. {@code rating} is the publisher's score or word, {@code introducedIn} the first
     * affected release (null: every older release), {@code appliesWhen} the feature the flaw needs (null: always).
     */
    public record Advisory(
            String id,
            Severity severity,
            String rating,
            String effect,
            String introducedIn,
            List<String> fixedIn,
            String appliesWhen) {

        /** Whether {@code version} (an assessed upstream release) carries this vulnerability. */
        boolean affects(Version version) {
            if (introducedIn != null
                    && version.compareTo(Version.parse(introducedIn).orElseThrow()) < 0) {
                return false;
            }
            List<Version> fixes =
                    fixedIn.stream().map(f -> Version.parse(f).orElseThrow()).toList();
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
            return id + " (" + severity.name().toLowerCase(Locale.ROOT) + ", fixed in " + String.join(", ", fixedIn)
                    + ")";
        }
    }

    private static final List<Advisory> KNOWN = List.of(
            new Advisory(
                    "CVE-2026-18963",
                    Severity.CRITICAL,
                    "CVSS 9.1",
                    "an unauthenticated attacker sets a new password for any account through the reset-credentials"
                            + " flow (Forgot Password on); a public exploit exists",
                    "26.0.0",
                    List.of("26.4.15", "26.6.6", "26.7.2"),
                    "Forgot Password on"),
            new Advisory(
                    "CVE-2026-4325",
                    Severity.MEDIUM,
                    "no score published",
                    "entries of the single-use object store (action tokens, and warden's limiter slots) can be"
                            + " deleted or replayed by an attacker",
                    null,
                    List.of("26.2.15", "26.4.11", "26.5.7"),
                    null),
            new Advisory(
                    "CVE-2026-4282",
                    Severity.HIGH,
                    "no score published",
                    "the same missing isolation of the single-use object store lets an attacker forge"
                            + " authorization codes",
                    null,
                    List.of("26.2.15", "26.4.11", "26.5.7"),
                    null),
            new Advisory(
                    "CVE-2026-35563",
                    Severity.HIGH,
                    "CVSS 8.5",
                    "the bundled LDAP client does not check the TLS host name of the directory server",
                    null,
                    List.of("26.7.3"),
                    "LDAP user federation over TLS"),
            new Advisory(
                    "CVE-2026-18218",
                    Severity.MEDIUM,
                    "no score published",
                    "a client's not-before revocation is ignored",
                    null,
                    List.of("26.7.3"),
                    null),
            new Advisory(
                    "CVE-2026-74909",
                    Severity.HIGH,
                    "CVSS 8.1",
                    "the authorization services policy enforcer can be bypassed with a crafted path",
                    null,
                    List.of("26.7.4"),
                    "Authorization Services policy enforcer"),
            new Advisory(
                    "CVE-2026-79651",
                    Severity.HIGH,
                    "CVSS 7.5",
                    "an unauthenticated request exhausts memory through the locale cache",
                    null,
                    List.of("26.7.4"),
                    null),
            new Advisory(
                    "CVE-2026-18212",
                    Severity.HIGH,
                    "CVSS 7.5",
                    "SAML requests leak native memory",
                    null,
                    List.of("26.7.4"),
                    "SAML clients"),
            new Advisory(
                    "CVE-2026-17526",
                    Severity.HIGH,
                    "Red Hat: important",
                    "an impersonating admin can gain realm admin rights",
                    null,
                    List.of("26.7.4"),
                    "impersonation"),
            new Advisory(
                    "CVE-2026-90997",
                    Severity.HIGH,
                    "CVSS 7.4",
                    "single-use entries (client assertions, DPoP proofs, one-time codes) are accepted again",
                    "26.7.0",
                    List.of("26.7.4"),
                    "the stateless feature on MySQL or MariaDB"),
            new Advisory(
                    "CVE-2026-16103",
                    Severity.HIGH,
                    "Red Hat: important",
                    "CIBA token redemption skips the brute-force lockout",
                    null,
                    List.of("26.6.8", "26.7.5"),
                    "CIBA"),
            new Advisory(
                    "CVE-2026-88770",
                    Severity.HIGH,
                    "Red Hat: important",
                    "the device authorization grant issues tokens to users locked by brute-force detection",
                    null,
                    List.of("26.6.8", "26.7.5"),
                    "the device authorization grant"));

    private KeycloakAdvisories() {}

    /** Every advisory in the table. */
    public static List<Advisory> all() {
        return KNOWN;
    }

    /** What this build can say about {@code keycloakVersion}. */
    public static Assessment assess(String keycloakVersion) {
        Optional<Version> parsed = Version.parse(keycloakVersion);
        Version newest = Version.parse(NEWEST_ASSESSED).orElseThrow();
        if (parsed.isEmpty() || parsed.get().qualified() || parsed.get().compareTo(newest) > 0) {
            return new Assessment(Status.NOT_ASSESSED, List.of(), parsed);
        }
        List<Advisory> found =
                KNOWN.stream().filter(a -> a.affects(parsed.get())).toList();
        return new Assessment(found.isEmpty() ? Status.NONE_KNOWN : Status.AFFECTED, found, parsed);
    }

    /** The advisories that {@code keycloakVersion} carries; empty when it carries none or is not assessed. */
    public static List<Advisory> affecting(String keycloakVersion) {
        return assess(keycloakVersion).advisories();
    }

    /** Whether {@code keycloakVersion} carries a critical advisory. */
    public static boolean hasCritical(String keycloakVersion) {
        return affecting(keycloakVersion).stream().anyMatch(a -> a.severity() == Severity.CRITICAL);
    }

    /**
     * The warning an operator reads at start: for an affected release the critical and high advisories by id and the
     * number of medium ones; for a release this build cannot assess, that it cannot. Empty only for an assessed release
     * without advisories. The version is quoted as parsed, never as given, so the text is one line of plain characters
     * whatever the server reports.
     */
    public static Optional<String> warning(String keycloakVersion) {
        Assessment assessment = assess(keycloakVersion);
        String shown = assessment
                .version()
                .map(v -> v.qualified() ? v + " (a vendor or development build)" : v.toString())
                .orElse("of an unreadable version");
        switch (assessment.status()) {
            case NONE_KNOWN:
                return Optional.empty();
            case NOT_ASSESSED:
                return Optional.of("cannot tell whether Keycloak " + shown + " has published vulnerabilities: "
                        + "warden's advisory table covers upstream releases up to " + NEWEST_ASSESSED + " (as of "
                        + AS_OF + "), not newer, vendor or development builds. Check Keycloak's security "
                        + "advisories for it, and update keycloak-warden.");
            default:
                break;
        }
        List<Advisory> found = assessment.advisories();
        List<String> named = found.stream()
                .filter(a -> a.severity() != Severity.MEDIUM)
                .map(Advisory::summary)
                .toList();
        long medium =
                found.stream().filter(a -> a.severity() == Severity.MEDIUM).count();
        StringBuilder text = new StringBuilder("Keycloak ")
                .append(shown)
                .append(" has ")
                .append(found.size())
                .append(" published vulnerabilit")
                .append(found.size() == 1 ? "y" : "ies");
        if (!named.isEmpty()) {
            text.append(": ").append(String.join("; ", named));
        }
        if (medium > 0) {
            text.append(named.isEmpty() ? ": " : "; and ").append(medium).append(" of medium severity");
        }
        // The one release known to carry none, not the newest fix among these: that could carry others.
        text.append(". Upgrade Keycloak to ")
                .append(NEWEST_ASSESSED)
                .append(" or later (docs/installation.md, support matrix).");
        return Optional.of(text.toString());
    }

    /**
     * A Keycloak release number, {@code major.minor.micro}, and whether a qualifier follows it ({@code -SNAPSHOT},
     * {@code .redhat-00001}); {@code .Final} counts as none.
     */
    public record Version(int major, int minor, int micro, boolean qualified) implements Comparable<Version> {

        private static final Pattern RELEASE =
                Pattern.compile("(\\d{1,4})\\.(\\d{1,4})\\.(\\d{1,4})([-.+_][A-Za-z0-9.+_-]{1,40})?");

        public Version(int major, int minor, int micro) {
            this(major, minor, micro, false);
        }

        /** {@code 26.7.5}, {@code 26.7.5.Final} or {@code 26.7.5-redhat-00001}; empty for anything else. */
        public static Optional<Version> parse(String text) {
            if (text == null) {
                return Optional.empty();
            }
            Matcher m = RELEASE.matcher(text.strip());
            if (!m.matches()) {
                return Optional.empty();
            }
            String qualifier = m.group(4);
            boolean qualified = qualifier != null && !qualifier.equals(".Final");
            return Optional.of(new Version(
                    Integer.parseInt(m.group(1)),
                    Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)),
                    qualified));
        }

        boolean sameLine(Version other) {
            return major == other.major && minor == other.minor;
        }

        /** The line as one comparable number: 26.7 is 26_0007. */
        long line() {
            return major * 10_000L + minor;
        }

        /**
         * Orders by release number only (a qualifier does not change where a build stands), so it is not consistent
         * with {@code equals}: never put versions of mixed builds into a sorted set.
         */
        @Override
        public int compareTo(Version o) {
            return Comparator.comparingInt(Version::major)
                    .thenComparingInt(Version::minor)
                    .thenComparingInt(Version::micro)
                    .compare(this, o);
        }

        /** The release number alone, qualifier or not. */
        @Override
        public String toString() {
            return major + "." + minor + "." + micro;
        }
    }
}
