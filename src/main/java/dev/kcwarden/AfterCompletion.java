package dev.kcwarden;

import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;

/** Work that must wait until the request's transaction has ended (Keycloak runs it after commit or rollback). */
public final class AfterCompletion {

    private AfterCompletion() {}

    /** Runs {@code work} once the transaction ends, whether it committed or rolled back. */
    public static void always(KeycloakSession session, Runnable work) {
        enlist(session, work, true);
    }

    /** Runs {@code work} only if the transaction commits (what it reports happened). */
    public static void onCommit(KeycloakSession session, Runnable work) {
        enlist(session, work, false);
    }

    /**
     * Runs {@code work} when the transaction is about to commit, inside it: after every step of the request (such as
     * the registration form's user creation) has run, and still part of what commits or rolls back.
     */
    public static void beforeCommit(KeycloakSession session, Runnable work) {
        session.getTransactionManager().enlistPrepare(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                work.run();
            }

            @Override
            protected void rollbackImpl() {
                // nothing was done
            }
        });
    }

    private static void enlist(KeycloakSession session, Runnable work, boolean onRollback) {
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                work.run();
            }

            @Override
            protected void rollbackImpl() {
                if (onRollback) {
                    work.run();
                }
            }
        });
    }
}
