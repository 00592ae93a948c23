package dev.kcwarden.signup;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Domains are compared in punycode form, with subdomains and look-alikes handled")
class DomainsTest {

    @Test
    void normalizesCaseDotsAndInternationalNames() {
        assertThat(Domains.normalize("Example.COM.")).contains("example.com");
        assertThat(Domains.normalize("b\u00fccher.example")).contains("xn--bcher-kva.example");
        assertThat(Domains.normalize("xn--bcher-kva.example")).contains("xn--bcher-kva.example");
        assertThat(Domains.normalize("\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com"))
                .as("full-width")
                .contains("example.com");
    }

    @Test
    void refusesWhatIsNotADomain() {
        assertThat(Domains.normalize("")).isEmpty();
        assertThat(Domains.normalize("localhost")).isEmpty();
        assertThat(Domains.normalize("exa mple.com")).isEmpty();
        assertThat(Domains.normalize("exa\u0000mple.com")).isEmpty();
        assertThat(Domains.normalize("a".repeat(300) + ".com")).isEmpty();
        assertThat(Domains.normalize("under_score.com")).isEmpty();
    }

    @Test
    void rulesCoverSubdomainsOnly() {
        assertThat(Domains.covers("example.com", "example.com")).isTrue();
        assertThat(Domains.covers("example.com", "mail.example.com")).isTrue();
        assertThat(Domains.covers("example.com", "badexample.com")).isFalse();
        assertThat(Domains.covers("example.com", "example.com.evil.net")).isFalse();
    }

    @Test
    void spotsNamesTheNormalizationMaps() {
        assertThat(Domains.mapsToAnotherName("Example.COM.", "example.com")).isFalse();
        assertThat(Domains.mapsToAnotherName("b\u00fccher.example", "xn--bcher-kva.example"))
                .isFalse();
        assertThat(Domains.mapsToAnotherName("xn--bcher-kva.example", "xn--bcher-kva.example"))
                .isFalse();
        assertThat(Domains.mapsToAnotherName(
                        "stra\u00dfe.de", Domains.normalize("stra\u00dfe.de").orElseThrow()))
                .isTrue();
        assertThat(Domains.mapsToAnotherName("\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com", "example.com"))
                .isTrue();
    }

    @Test
    void spotsMixedAlphabets() {
        assertThat(Domains.mixesScripts(Domains.normalize("ex\u0430mple.com").orElseThrow()))
                .as("Cyrillic a")
                .isTrue();
        assertThat(Domains.mixesScripts("example.com")).isFalse();
        assertThat(Domains.mixesScripts(Domains.normalize("\u043f\u0440\u0438\u043c\u0435\u0440.com")
                        .orElseThrow()))
                .as("all Cyrillic")
                .isFalse();
    }

    @Test
    void shippedDisposableListCoversSubdomains() {
        assertThat(DisposableDomains.shipped("mailinator.com")).isTrue();
        assertThat(DisposableDomains.shipped("x.mailinator.com")).isTrue();
        assertThat(DisposableDomains.shipped("example.com")).isFalse();
        assertThat(DisposableDomains.shippedSize()).isGreaterThan(100_000);
    }
}
