package dev.kcwarden.quickstart;

/** A problem the quickstart reports as one line and an exit code, never as a stack trace. */
public final class QuickstartException extends Exception {

    private static final long serialVersionUID = 1L;

    QuickstartException(String message) {
        super(message, null, false, false);
    }
}
