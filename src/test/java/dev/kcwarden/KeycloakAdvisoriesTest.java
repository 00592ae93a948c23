package dev.kcwarden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kcwarden.KeycloakAdvisories.Advisory;
import dev.kcwarden.KeycloakAdvisories.Version;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Keycloak advisories: which release carries which published vulnerability")
class KeycloakAdvisoriesTest {

    private static List<String> ids(String version) {
        return KeycloakAdvisories.affecting(version).stream().map(Advisory::id).toList();
    }

    @Test
    @DisplayName("the reset-credentials takeover is in 26.7.0 and 26.7.1, fixed in 26.7.2, and never fixed on 26.5")
    void resetCredentialsTakeover() {
        String takeover = "CVE-2026-18963";

        assertThat(ids("26.7.0")).contains(takeover);
        assertThat(ids("26.7.1")).contains(takeover);
        assertThat(ids("26.7.2")).doesNotContain(takeover);
        assertThat(ids("26.5.6")).contains(takeover);
        assertThat(ids("26.5.7")).as("no 26.5.x fix is published").contains(takeover);
        assertThat(ids("26.6.5")).contains(takeover);
        assertThat(ids("26.6.6")).doesNotContain(takeover);
        assertThat(ids("26.4.14")).contains(takeover);
        assertThat(ids("26.4.15")).doesNotContain(takeover);
        assertThat(ids("25.0.6")).as("before the flaw was introduced").doesNotContain(takeover);
        assertThat(KeycloakAdvisories.hasCritical("26.7.1")).isTrue();
        assertThat(KeycloakAdvisories.hasCritical("26.7.2")).isFalse();
        assertThat(KeycloakAdvisories.hasCritical("26.5.6")).isTrue();
    }

    @Test
    @DisplayName("26.7.5 carries nothing this build knows of; each older 26.7 patch carries what its successors fixed")
    void patchLevelsOfThe267Line() {
        assertThat(ids("26.7.5")).isEmpty();
        assertThat(ids("26.7.4")).containsExactlyInAnyOrder("CVE-2026-16103", "CVE-2026-88770");
        assertThat(ids("26.7.3"))
                .contains("CVE-2026-90997", "CVE-2026-74909", "CVE-2026-16103")
                .doesNotContain("CVE-2026-35563", "CVE-2026-18963");
        assertThat(ids("26.7.2")).contains("CVE-2026-35563", "CVE-2026-90997").doesNotContain("CVE-2026-18963");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "26.7.6",
                "26.8.0",
                "27.0.0",
                "999.0.0-SNAPSHOT",
                "26.7.5-SNAPSHOT",
                "26.4.10.redhat-00001",
                "26.7.0-redhat-00001"
            })
    @DisplayName("a release after the table, a vendor or a development build is not called clean: not assessed")
    void notAssessed(String version) {
        KeycloakAdvisories.Assessment assessment = KeycloakAdvisories.assess(version);

        assertThat(assessment.status()).isEqualTo(KeycloakAdvisories.Status.NOT_ASSESSED);
        assertThat(KeycloakAdvisories.warning(version))
                .hasValueSatisfying(text -> assertThat(text)
                        .startsWith("cannot tell whether Keycloak ")
                        .contains("up to " + KeycloakAdvisories.NEWEST_ASSESSED));
    }

    @Test
    @DisplayName("the table's newest assessed release is clean, and assessed as such")
    void newestAssessedIsClean() {
        assertThat(KeycloakAdvisories.assess(KeycloakAdvisories.NEWEST_ASSESSED).status())
                .isEqualTo(KeycloakAdvisories.Status.NONE_KNOWN);
        assertThat(KeycloakAdvisories.assess("26.7.0").status()).isEqualTo(KeycloakAdvisories.Status.AFFECTED);
    }

    @Test
    @DisplayName("the single-use store flaws are fixed in 26.5.7; the MySQL putIfAbsent flaw exists only from 26.7.0")
    void singleUseStore() {
        assertThat(ids("26.5.6")).contains("CVE-2026-4325", "CVE-2026-4282");
        assertThat(ids("26.5.7")).doesNotContain("CVE-2026-4325", "CVE-2026-4282");
        assertThat(ids("26.6.8")).doesNotContain("CVE-2026-90997");
        assertThat(ids("26.7.0")).contains("CVE-2026-90997");
    }

    @ParameterizedTest
    @ValueSource(strings = {"26.7.5", "26.7.5.Final", " 26.7.5 "})
    @DisplayName("an upstream release number is read as it is, with or without .Final")
    void upstream(String text) {
        assertThat(Version.parse(text)).contains(new Version(26, 7, 5));
    }

    @Test
    @DisplayName("a vendor qualifier is kept: its build is told apart from the upstream release")
    void vendorQualifier() {
        assertThat(Version.parse("26.7.5-redhat-00001")).hasValueSatisfying(v -> {
            assertThat(v.qualified()).isTrue();
            assertThat(v.compareTo(new Version(26, 7, 5))).isZero();
        });
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "26.7",
                "latest",
                "v26.7.5",
                "26.7.5x",
                "99999.1.1",
                "26.7.0\u0000",
                "26.7.0 evil",
                "26.7.0-\nWARN forged line",
                "26.7.0-\u001b[31m"
            })
    @DisplayName("a version that cannot be read is not assessed, and its text never reaches the warning")
    void unreadable(String text) {
        assertThat(Version.parse(text)).isEmpty();
        assertThat(KeycloakAdvisories.assess(text).status()).isEqualTo(KeycloakAdvisories.Status.NOT_ASSESSED);
        assertThat(KeycloakAdvisories.warning(text))
                .hasValueSatisfying(warning -> assertThat(warning)
                        .contains("Keycloak of an unreadable version")
                        .doesNotContain("\n")
                        .doesNotContain("evil")
                        .doesNotContain("forged")
                        .doesNotContain("\u001b")
                        .doesNotContain("\u0000"));
        assertThat(Version.parse(null)).isEmpty();
        assertThat(KeycloakAdvisories.assess(null).status()).isEqualTo(KeycloakAdvisories.Status.NOT_ASSESSED);
    }

    @Test
    @DisplayName("the start-up warning names the critical advisory and the release to move to; none for 26.7.5")
    void warning() {
        assertThat(KeycloakAdvisories.warning("26.7.5")).isEmpty();
        assertThat(KeycloakAdvisories.warning("26.7.0"))
                .hasValueSatisfying(text -> assertThat(text)
                        .startsWith("Keycloak 26.7.0 has ")
                        .contains("CVE-2026-18963 (critical, fixed in 26.4.15, 26.6.6, 26.7.2)")
                        .contains("of medium severity")
                        .endsWith("Upgrade Keycloak to 26.7.5 or later (docs/installation.md, support matrix)."));
        assertThat(KeycloakAdvisories.warning("26.7.4"))
                .hasValueSatisfying(text ->
                        assertThat(text).contains("2 published vulnerabilities").doesNotContain("medium"));
        // 26.6.8 fixes the CIBA and device-grant bypasses that 26.7.4 still has: advise the clean release.
        assertThat(KeycloakAdvisories.warning("26.6.8"))
                .hasValueSatisfying(text -> assertThat(text)
                        .endsWith("Upgrade Keycloak to 26.7.5 or later (docs/installation.md, support matrix)."));
        assertThat(KeycloakAdvisories.affecting(KeycloakAdvisories.NEWEST_ASSESSED))
                .isEmpty();
    }

    @Test
    @DisplayName("every entry is well formed: known severity, readable fixes, an effect to tell the operator")
    void tableIsWellFormed() {
        assertThat(KeycloakAdvisories.all()).isNotEmpty().allSatisfy(a -> {
            assertThat(a.id()).matches("CVE-\\d{4}-\\d{4,}");
            assertThat(a.fixedIn())
                    .isNotEmpty()
                    .allSatisfy(f -> assertThat(Version.parse(f)).isPresent());
            assertThat(a.effect()).isNotBlank();
            if (a.introducedIn() != null) {
                assertThat(Version.parse(a.introducedIn())).isPresent();
            }
        });
        assertThat(KeycloakAdvisories.all()).extracting(Advisory::id).doesNotHaveDuplicates();
    }
}
