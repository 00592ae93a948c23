package dev.kcwarden.ratelimit;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.Authenticator;

/**
 * Runs one of Keycloak's own authenticators against a context and reports whether it called
 * {@code success()}, so warden can wrap Keycloak's checks instead of re-implementing them.
 * Every other call (failures, challenges, events, setUser) reaches the real context unchanged.
 */
final class OutcomeRecorder implements InvocationHandler {

    private final AuthenticationFlowContext target;
    private final boolean passSuccessOn;
    private boolean succeeded;

    private OutcomeRecorder(AuthenticationFlowContext target, boolean passSuccessOn) {
        this.target = target;
        this.passSuccessOn = passSuccessOn;
    }

    /**
     * Runs {@code authenticator.authenticate} and returns true if it succeeded. With
     * {@code passSuccessOn == false} the success stays here, so a next step can still run.
     */
    static boolean authenticate(Authenticator authenticator, AuthenticationFlowContext context, boolean passSuccessOn) {
        return run(authenticator::authenticate, context, passSuccessOn);
    }

    /** Runs one step of Keycloak's (an authenticator's method) against the context; true if it called {@code success()}. */
    static boolean run(Consumer<AuthenticationFlowContext> step, AuthenticationFlowContext context, boolean passSuccessOn) {
        OutcomeRecorder recorder = new OutcomeRecorder(context, passSuccessOn);
        AuthenticationFlowContext proxy = (AuthenticationFlowContext) Proxy.newProxyInstance(
                OutcomeRecorder.class.getClassLoader(), new Class<?>[] {AuthenticationFlowContext.class}, recorder);
        step.accept(proxy);
        return recorder.succeeded;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("success")) {
            succeeded = true;
            if (!passSuccessOn) {
                return null;
            }
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
