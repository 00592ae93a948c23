package dev.kcwarden.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kcwarden.WardenEvents;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.keycloak.events.Event;
import org.keycloak.events.EventType;

/** Which user events get an audit line: Keycloak's saved-types rule, plus every error and every warden detail. */
class AuditSelectionTest {

    private static final AuditSettings.EventSelection SAVED = AuditSettings.EventSelection.SAVED;

    private static Event event(EventType type, String error, Map<String, String> details) {
        Event event = new Event();
        event.setType(type);
        event.setError(error);
        event.setDetails(details);
        return event;
    }

    @Test
    @DisplayName("with the realm's list empty, Keycloak's default types: LOGIN yes, REFRESH_TOKEN no")
    void defaultTypes() {
        assertThat(AuditListener.audited(SAVED, event(EventType.LOGIN, null, null), Stream::empty))
                .isTrue();
        assertThat(AuditListener.audited(SAVED, event(EventType.REFRESH_TOKEN, null, null), Stream::empty))
                .isFalse();
        assertThat(AuditListener.audited(SAVED, event(EventType.INTROSPECT_TOKEN, null, Map.of()), Stream::empty))
                .isFalse();
    }

    @Test
    @DisplayName("a realm that lists types: exactly those successes, and no default type it leaves out")
    void listedTypes() {
        assertThat(AuditListener.audited(
                        SAVED, event(EventType.REFRESH_TOKEN, null, null), () -> Stream.of("LOGIN", "REFRESH_TOKEN")))
                .isTrue();
        assertThat(AuditListener.audited(SAVED, event(EventType.LOGOUT, null, null), () -> Stream.of("LOGIN")))
                .isFalse();
    }

    @Test
    @DisplayName("errors, warden's details and an unknown realm always get a line; all means all")
    void alwaysWritten() {
        assertThat(AuditListener.audited(
                        SAVED, event(EventType.REFRESH_TOKEN_ERROR, "invalid_token", null), () -> Stream.of("LOGIN")))
                .isTrue();
        assertThat(AuditListener.audited(
                        SAVED,
                        event(EventType.REFRESH_TOKEN, null, Map.of(WardenEvents.WOULD_THROTTLE, "user_ip")),
                        () -> Stream.of("LOGIN")))
                .isTrue();
        assertThat(AuditListener.audited(
                        SAVED, event(EventType.REFRESH_TOKEN, null, Map.of("grant_type", "refresh_token")), null))
                .isTrue();
        assertThat(AuditListener.audited(
                        AuditSettings.EventSelection.ALL,
                        event(EventType.REFRESH_TOKEN, null, null),
                        () -> Stream.of("LOGIN")))
                .isTrue();
    }

    @Test
    @DisplayName("the events option: saved by default, all, and any other value refused with a printable message")
    void option() {
        assertThat(AuditSettings.parseEvents(null)).isEqualTo(SAVED);
        assertThat(AuditSettings.parseEvents(" ALL ")).isEqualTo(AuditSettings.EventSelection.ALL);
        assertThatThrownBy(() -> AuditSettings.parseEvents("everything\n"))
                .hasMessageContaining("events must be saved")
                .hasMessageContaining("'everything?'");
    }
}
