package dev.kcwarden;

import dev.kcwarden.audit.VerifyAudit;
import java.util.Arrays;
import java.util.List;

/** {@code java -jar keycloak-warden.jar <command>}: the jar's tools for operators. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("verify-audit")) {
            System.exit(VerifyAudit.run(List.of(Arrays.copyOfRange(args, 1, args.length))));
        }
        System.err.println(
                Warden.NAME + " " + Warden.VERSION + ": a Keycloak extension; put the jar into Keycloak's providers/.");
        System.err.println(
                "commands: verify-audit FILE... [--key-file KEYFILE] [--anchor node=seq:mac]...   check a warden audit"
                        + " log's HMAC chain and its runs (exit 0 OK, 1 TAMPERED, 3 INCOMPLETE, 2 usage)");
        System.exit(2);
    }
}
