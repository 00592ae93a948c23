package dev.kcwarden.guard;

import dev.kcwarden.WardenEvents;
import dev.kcwarden.WardenMessages;
import dev.kcwarden.metrics.WardenMetrics;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.events.Details;
import org.keycloak.events.Event;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * The proof-of-work step-up of a browser password form. Past the threshold the form carries a puzzle (a nonce kept in
 * an auth-session note, and its difficulty); the next submission must bring a solution, or the password is not checked.
 *
 * <p>A refused submission does not count as a failure: it never reached the password, so skipping the puzzle buys no
 * guess, and a stranger who skips it cannot fill the owner's limits any faster. The nonce is removed on the first
 * submission that reads it, and claimed once in Keycloak's single-use store, so a solution works once even when two
 * requests race with it.
 */
final class PowStepUp {

    static final String NONCE_NOTE = "warden.pow.nonce";
    static final String BITS_NOTE = "warden.pow.bits";
    /** Form fields that warden-pow.js fills. */
    static final String SOLUTION_FIELD = "warden_pow";

    static final String NONCE_FIELD = "warden_pow_nonce";
    /** A puzzle is good for this long; a browser left open longer solves a fresh one after one refusal. */
    static final int LIFESPAN_SECONDS = 30 * 60;

    private static final Logger LOG = Logger.getLogger(PowStepUp.class);

    private final AuthenticationFlowContext context;
    private final LoginGuard guard;

    PowStepUp(AuthenticationFlowContext context, LoginGuard guard) {
        this.context = context;
        this.guard = guard;
    }

    /**
     * The attempt's pressure on its limits, read only when the step-up is on (it costs a user lookup). In monitor mode
     * the step-up is off too: that mode refuses nothing, and a puzzle refusal would be one.
     */
    Limiter.Pressure pressure(Supplier<Limiter.Pressure> read) {
        return guard.stepUp().enabled() && !guard.monitor() ? read.get() : Limiter.Pressure.NONE;
    }

    /** Puts a fresh puzzle on the form that will be rendered when {@code pressure} already asks for one. */
    void offer(Limiter.Pressure pressure) {
        int bits = guard.stepUp().bits(pressure);
        if (bits > 0) {
            issue(bits);
        } else {
            withdraw();
        }
    }

    /** The page after this attempt, should it fail: its puzzle is priced as if this attempt counted. */
    void offerAfterFailure(Limiter.Pressure pressure) {
        offer(new Limiter.Pressure(Math.min(pressure.used() + 1, pressure.max()), pressure.max()));
    }

    /** The attempt succeeded: no puzzle on whatever page comes next. */
    void withdraw() {
        LoginFormsProvider provider = form();
        provider.setAttribute(WardenMessages.POW_ATTRIBUTE, null);
    }

    /**
     * Checks the submitted solution when {@code pressure} asks for one. Empty: the password check may run. Otherwise
     * the answer to send: {@code page} renders the form (with a fresh puzzle) and its error; an event records why.
     */
    Optional<Response> refusal(
            MultivaluedMap<String, String> formData,
            Limiter.Pressure pressure,
            String typedName,
            Function<LoginFormsProvider, Response> page) {
        int need = guard.stepUp().bits(pressure);
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String nonce = authSession.getAuthNote(NONCE_NOTE);
        String bitsNote = authSession.getAuthNote(BITS_NOTE);
        if (need == 0 || pressure.used() >= pressure.max()) {
            // Below the threshold, or at the limit itself, where the hard refusal (429) answers.
            return Optional.empty();
        }
        // Single use: whatever comes of this submission, the puzzle it answered is gone.
        authSession.removeAuthNote(NONCE_NOTE);
        authSession.removeAuthNote(BITS_NOTE);
        String reason = reason(formData, nonce, bitsNote, need);
        if (reason == null) {
            return Optional.empty();
        }
        recordEvent(reason, need, typedName);
        issue(need);
        return Optional.of(page.apply(context.form().setError(WardenMessages.POW_REFUSED)));
    }

    /** Why the submission does not pay for a password check; null when it does. */
    private String reason(MultivaluedMap<String, String> formData, String nonce, String bitsNote, int need) {
        String solution = formData.getFirst(SOLUTION_FIELD);
        if (solution == null || solution.isEmpty()) {
            return "missing";
        }
        if (!ProofOfWork.wellFormed(solution)) {
            return "malformed";
        }
        if (nonce == null || !nonce.equals(formData.getFirst(NONCE_FIELD))) {
            return "reused";
        }
        int bits = parseBits(bitsNote);
        if (bits < need) {
            return "too_easy";
        }
        if (!ProofOfWork.verify(nonce, bits, solution)) {
            return "wrong";
        }
        // The auth-session note can be read by two racing requests; the single-use store's create cannot.
        if (!context.getSession().singleUseObjects().putIfAbsent("warden-pow:" + nonce, LIFESPAN_SECONDS)) {
            return "reused";
        }
        return null;
    }

    private static int parseBits(String note) {
        try {
            return note == null ? -1 : Integer.parseInt(note);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void issue(int bits) {
        String nonce = ProofOfWork.newNonce();
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        authSession.setAuthNote(NONCE_NOTE, nonce);
        authSession.setAuthNote(BITS_NOTE, Integer.toString(bits));
        LoginFormsProvider provider = form();
        provider.setAttribute(WardenMessages.POW_ATTRIBUTE, Map.of("nonce", nonce, "bits", bits));
    }

    /** The request's form provider: the one {@code context.form()} hands out, so attributes set here are rendered. */
    private LoginFormsProvider form() {
        return context.getSession().getProvider(LoginFormsProvider.class);
    }

    private void recordEvent(String reason, int need, String typedName) {
        var event = context.getEvent();
        if (typedName != null && !typedName.isBlank()) {
            event.detail(Details.USERNAME, typedName);
        }
        event.detail(WardenEvents.POW, reason).detail(WardenEvents.POW_BITS, Integer.toString(need));
        WardenMetrics.throttled(context.getRealm(), "pow");
        LOG.debugf(
                "realm %s: login refused before the password check, proof-of-work %s",
                context.getRealm().getName(), reason);
        Event template = event.getEvent().clone();
        template.setError(WardenEvents.POW_REFUSED);
        int interval = GuardConfig.eventInterval(
                context.getAuthenticatorConfig(), context.getRealm().getName());
        if (ThrottledEventDigest.of(context.getSession().getKeycloakSessionFactory())
                .emit(guard.stepUpDigestKey(), template, interval)) {
            event.error(WardenEvents.POW_REFUSED);
        }
    }
}
