package dev.kcwarden.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar keycloak-warden.jar verify-audit FILE --key-file KEYFILE} (or the key in the environment
 * variable {@code WARDEN_AUDIT_KEY}). Reads a file that holds warden audit lines, alone or inside other log
 * lines, follows each node's chain and reports OK or the first line that was altered, removed, inserted or
 * reordered. Exit 0: intact; 1: tampered; 2: usage or unreadable file.
 */
public final class VerifyAudit {

    private static final String MARKER = "{\"v\":";

    /** The verdict: {@code badLine} is 1-based in the file, 0 when intact. */
    public record Result(boolean intact, int badLine, String problem, int lines, int chainStarts) {
    }

    private VerifyAudit() {
    }

    public static Result verify(List<String> fileLines, byte[] key) {
        Map<String, String> previousByNode = new HashMap<>();
        int audited = 0;
        int starts = 0;
        for (int i = 0; i < fileLines.size(); i++) {
            String raw = fileLines.get(i);
            int at = raw.indexOf(MARKER);
            if (at < 0) {
                continue;
            }
            String line = raw.substring(at).stripTrailing();
            int macAt = line.lastIndexOf(AuditChain.MAC_FIELD);
            if (macAt < 0 || !line.endsWith("\"}")) {
                return new Result(false, i + 1, "not a complete audit line (cut off, or its mac removed)", audited, starts);
            }
            String mac = line.substring(macAt + AuditChain.MAC_FIELD.length(), line.length() - 2);
            String unsealed = line.substring(0, macAt) + "}";
            // node, seq and chain are written last, after anything an admin can put into a representation
            String node = lastField(unsealed, "node");
            boolean start = unsealed.endsWith(",\"chain\":\"start\"}");
            String previous = start ? "" : previousByNode.get(node);
            if (previous == null) {
                return new Result(false, i + 1, "line of node " + node + " without the start of its chain before it", audited, starts);
            }
            String expected = AuditChain.mac(key, previous, unsealed);
            if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), mac.getBytes(StandardCharsets.US_ASCII))) {
                return new Result(false, i + 1, "the chain breaks here: this line, or one before it of node " + node
                        + ", was altered, removed, inserted or moved", audited, starts);
            }
            previousByNode.put(node, mac);
            audited++;
            if (start) {
                starts++;
            }
        }
        return new Result(true, 0, null, audited, starts);
    }

    private static String lastField(String json, String name) {
        String key = ",\"" + name + "\":\"";
        int at = json.lastIndexOf(key);
        if (at < 0) {
            return "?";
        }
        int end = json.indexOf('"', at + key.length());
        return end < 0 ? "?" : json.substring(at + key.length(), end);
    }

    /** The command line; returns the exit code. */
    public static int run(List<String> args) {
        String file = null;
        String keyFile = null;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--key-file") && i + 1 < args.size()) {
                keyFile = args.get(++i);
            } else if (file == null && !args.get(i).startsWith("--")) {
                file = args.get(i);
            } else {
                return usage("unexpected argument " + args.get(i));
            }
        }
        if (file == null) {
            return usage("no audit file given");
        }
        byte[] key;
        try {
            if (keyFile != null) {
                key = Files.readString(Path.of(keyFile), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
            } else if (System.getenv("WARDEN_AUDIT_KEY") != null) {
                key = System.getenv("WARDEN_AUDIT_KEY").strip().getBytes(StandardCharsets.UTF_8);
            } else {
                return usage("no key: give --key-file FILE or set WARDEN_AUDIT_KEY");
            }
            if (key.length == 0) {
                return usage("the key is empty");
            }
            Result result = verify(Files.readAllLines(Path.of(file), StandardCharsets.UTF_8), key);
            if (result.intact() && result.lines() == 0) {
                System.out.println("NO AUDIT LINES: " + file + " holds no warden audit line (is it the right file, in plain log format?)");
                return 2;
            }
            if (result.intact()) {
                System.out.printf("OK: %d audit lines, %d chain start(s) (node restarts), every mac matches%n",
                        result.lines(), result.chainStarts());
                return 0;
            }
            System.out.printf("TAMPERED: line %d: %s (%d audit lines verified before it)%n", result.badLine(), result.problem(), result.lines());
            return 1;
        } catch (IOException e) {
            System.err.println("verify-audit: cannot read " + e.getMessage());
            return 2;
        }
    }

    private static int usage(String problem) {
        System.err.println("verify-audit: " + problem);
        System.err.println("usage: java -jar keycloak-warden.jar verify-audit FILE [--key-file KEYFILE]   (or WARDEN_AUDIT_KEY=...)");
        return 2;
    }
}
