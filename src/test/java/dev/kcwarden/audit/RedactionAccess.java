package dev.kcwarden.audit;

import java.util.Set;

/** Lets tests outside this package read the audit allow-list, which stays package-private in main code. */
public final class RedactionAccess {

    private RedactionAccess() {}

    public static Set<String> allowedDetails() {
        return Redaction.ALLOWED_DETAILS;
    }
}
