package dev.kcwarden.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code java -jar keycloak-warden.jar verify-audit FILE... --key-file KEYFILE [--anchor node=seq:mac]...} (or the key
 * in the environment variable {@code WARDEN_AUDIT_KEY}). Reads warden's audit lines (category {@code warden.audit} in
 * Keycloak's plain log format, or a file of nothing but audit records), follows each node's chain line by line and run
 * by run, and reports every problem it finds:
 *
 * <ul>
 *   <li>TAMPERED (exit 1): a line altered, removed, inserted or moved; a run missing between two others, runs out of
 *       order, the end of a run cut before a later start; an anchor that is missing or differs;
 *   <li>INCOMPLETE (exit 3): a node's last run has neither an end line nor a later start (still running, crashed, or
 *       the tail was cut); the history begins at a later run or in the middle of a run (an older file, or deleted);
 *       continuity unknown (the node had no usable state file);
 *   <li>OK (exit 0). Exit 2: usage, unreadable file, or no audit line at all.
 * </ul>
 *
 * Pure JDK: Keycloak's libraries are not on the class path of {@code java -jar}.
 */
public final class VerifyAudit {

    private static final String MARKER = "{\"v\":";
    private static final String CATEGORY = "warden.audit";
    /** The last lines of each run kept to link the next run to it: a kill leaves the state at most one line behind. */
    private static final int TAIL = 16;

    private static final int SHOWN = 100;

    /** The outcome, worst first; the exit code of each. */
    public enum Verdict {
        TAMPERED(1),
        INCOMPLETE(3),
        OK(0);

        private final int exit;

        Verdict(int exit) {
            this.exit = exit;
        }

        public int exit() {
            return exit;
        }
    }

    /** One problem: TAMPERED or INCOMPLETE, at a 1-based line of the input (0: about the whole file). */
    public record Finding(Verdict verdict, int line, String text) {
        @Override
        public String toString() {
            return verdict + (line > 0 ? ": line " + line + ": " : ": ") + text;
        }
    }

    /**
     * The whole report. {@code runs} describes each run of each node in file order (how it ended, how the next one
     * carried on); {@code findings} lists every problem.
     */
    public record Result(
            Verdict verdict, List<Finding> findings, List<String> runs, int lines, int chainStarts, int nodes) {

        /** Nothing altered, removed, inserted or moved (the log may still be INCOMPLETE). */
        public boolean intact() {
            return verdict != Verdict.TAMPERED;
        }

        /** The first line with a TAMPERED finding, 0 when none (or only findings about the whole file). */
        public int badLine() {
            return findings.stream()
                    .filter(f -> f.verdict() == Verdict.TAMPERED && f.line() > 0)
                    .mapToInt(Finding::line)
                    .findFirst()
                    .orElse(0);
        }

        /** The first TAMPERED finding's text, else the first INCOMPLETE one's, else null. */
        public String problem() {
            return findings.stream()
                    .filter(f -> f.verdict() == Verdict.TAMPERED)
                    .findFirst()
                    .or(() -> findings.stream().findFirst())
                    .map(Finding::text)
                    .orElse(null);
        }

        public List<Finding> tampered() {
            return findings.stream()
                    .filter(f -> f.verdict() == Verdict.TAMPERED)
                    .toList();
        }

        public List<Finding> incomplete() {
            return findings.stream()
                    .filter(f -> f.verdict() == Verdict.INCOMPLETE)
                    .toList();
        }
    }

    /** A line of one node's chain kept for linking: seq, mac (as written) and where it is. */
    private record Kept(long seq, String mac, int line, String marker) {}

    /** One run of one node: from a start line (or from the top of the file, when it begins mid-run). */
    private static final class Run {
        final String node;
        final int firstLine;
        final boolean begunMidRun;
        Long number;
        Long prevSeq;
        String prevMac;
        String startFlag;
        boolean legacyStart;
        boolean startVerified = true;
        long interval;
        int lines;
        long firstSeq = -1;
        long lastSeq = -1;
        int lastLine;
        String lastTime;
        String lastCheckpoint;
        boolean ended;
        boolean unwritable;
        final Deque<Kept> tail = new ArrayDeque<>();

        Run(String node, int firstLine, boolean begunMidRun) {
            this.node = node;
            this.firstLine = firstLine;
            this.begunMidRun = begunMidRun;
        }

        String name() {
            return number == null
                    ? "the run of node " + node + " at the top of the file"
                    : "run " + number + " of node " + node;
        }

        void add(long seq, String mac, int line, String time, String marker) {
            lines++;
            if (firstSeq < 0) {
                firstSeq = seq;
            }
            lastSeq = seq;
            lastLine = line;
            lastTime = time;
            ended = "end".equals(marker);
            if ("checkpoint".equals(marker)) {
                lastCheckpoint = time;
            }
            tail.addLast(new Kept(seq, mac, line, marker));
            if (tail.size() > TAIL) {
                tail.removeFirst();
            }
        }
    }

    /** What follows {@code ,"node":} in a line: the writer's own fields, written after everything else. */
    private record Tail(String node, long seq, Map<String, String> fields) {
        String text(String name) {
            return fields.get(name);
        }

        Long number(String name) {
            String value = fields.get(name);
            if (value == null) {
                return null;
            }
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private VerifyAudit() {}

    public static Result verify(List<String> fileLines, byte[] key) {
        return verify(fileLines, key, List.of());
    }

    /** {@code anchors}: "node=seq:mac", each a line that must be present with that mac. */
    public static Result verify(List<String> fileLines, byte[] key, List<String> anchors) {
        List<Finding> findings = new ArrayList<>();
        Map<String, List<Run>> runsByNode = new LinkedHashMap<>();
        Map<String, String> previousByNode = new HashMap<>();
        Map<String, Map<Long, String>> wanted = parseAnchors(anchors);
        Map<String, Map<Long, List<String>>> seen = new HashMap<>();
        int audited = 0;
        int macsMatched = 0;
        int starts = 0;
        for (int i = 0; i < fileLines.size(); i++) {
            int lineNo = i + 1;
            String line = record(fileLines.get(i));
            if (line == null) {
                continue;
            }
            audited++;
            int macAt = line.lastIndexOf(AuditChain.MAC_FIELD);
            if (line.isEmpty() || macAt < 0 || !line.endsWith("\"}")) {
                String node = lastString(line, "node");
                findings.add(new Finding(
                        Verdict.TAMPERED,
                        lineNo,
                        "not a complete audit line (cut off, or its mac removed)"
                                + (node == null ? "" : "; the next line of node " + node + " cannot be linked to it")));
                if (node != null) {
                    previousByNode.put(node, null);
                }
                continue;
            }
            String mac = line.substring(macAt + AuditChain.MAC_FIELD.length(), line.length() - 2);
            String unsealed = line.substring(0, macAt) + "}";
            Tail tail = tail(unsealed);
            if (tail == null) {
                findings.add(new Finding(
                        Verdict.TAMPERED, lineNo, "not a well-formed audit line (no node and seq at its end)"));
                continue;
            }
            String node = tail.node();
            String marker = tail.text("chain");
            String time = time(unsealed);
            List<Run> runs = runsByNode.computeIfAbsent(node, n -> new ArrayList<>());
            Run run;
            if ("start".equals(marker)) {
                starts++;
                run = new Run(node, lineNo, false);
                run.number = tail.number("run");
                run.prevSeq = tail.number("prevSeq");
                run.prevMac = tail.text("prevMac");
                run.startFlag = tail.text("state");
                run.legacyStart = run.number == null && run.startFlag == null;
                Long interval = tail.number("interval");
                run.interval = interval == null ? 0 : interval;
                runs.add(run);
                if (matches(key, "", unsealed, mac)) {
                    macsMatched++;
                } else {
                    run.startVerified = false;
                    findings.add(new Finding(
                            Verdict.TAMPERED,
                            lineNo,
                            "the start line of node " + node
                                    + " does not match its mac: it was altered, or forged without the key"));
                }
            } else {
                if (runs.isEmpty()) {
                    run = new Run(node, lineNo, true);
                    runs.add(run);
                    findings.add(new Finding(
                            Verdict.INCOMPLETE,
                            lineNo,
                            "node " + node + "'s lines begin at seq " + tail.seq()
                                    + " without the start of its chain: the file begins in the middle of a run "
                                    + "(rotated: give the older"
                                    + " file first), or its beginning was removed; this first line cannot be checked"));
                } else {
                    run = runs.get(runs.size() - 1);
                    String previous = previousByNode.get(node);
                    if (previous == null) {
                        // the line before it was not checkable (cut off): resynchronise here
                    } else if (matches(key, previous, unsealed, mac)) {
                        macsMatched++;
                    } else {
                        findings.add(new Finding(
                                Verdict.TAMPERED,
                                lineNo,
                                "the chain of node " + node + " breaks here (seq " + tail.seq()
                                        + "): this line, or the one before it, was altered, removed, "
                                        + "inserted or moved"));
                    }
                }
                if ("unwritable".equals(tail.text("state"))) {
                    run.unwritable = true;
                }
                if ("checkpoint".equals(marker) && tail.number("interval") != null) {
                    run.interval = tail.number("interval");
                }
            }
            // resynchronise on the mac as written: one edited line is one finding, the lines after it check again
            previousByNode.put(node, mac);
            run.add(tail.seq(), mac, lineNo, time, marker);
            Map<Long, String> anchorsOfNode = wanted.get(node);
            if (anchorsOfNode != null && anchorsOfNode.containsKey(tail.seq())) {
                seen.computeIfAbsent(node, n -> new HashMap<>())
                        .computeIfAbsent(tail.seq(), s -> new ArrayList<>())
                        .add(mac);
            }
        }
        if (audited > 0 && macsMatched == 0 && !findings.isEmpty()) {
            findings.add(
                    0,
                    new Finding(
                            Verdict.TAMPERED, 0, "not one mac matches this key: the wrong key, or every line forged"));
        }
        List<String> summaries = new ArrayList<>();
        runsByNode.values().forEach(runs -> link(runs, findings, summaries));
        checkAnchors(wanted, seen, runsByNode, findings);
        findings.sort(Comparator.comparingInt(Finding::line));
        Verdict verdict = findings.stream().anyMatch(f -> f.verdict() == Verdict.TAMPERED)
                ? Verdict.TAMPERED
                : findings.isEmpty() ? Verdict.OK : Verdict.INCOMPLETE;
        return new Result(verdict, List.copyOf(findings), List.copyOf(summaries), audited, starts, runsByNode.size());
    }

    /**
     * The run-by-run checks of one node: each start must carry on from the run before it, the last run must have ended.
     */
    private static void link(List<Run> runs, List<Finding> findings, List<String> summaries) {
        for (int r = 0; r < runs.size(); r++) {
            Run run = runs.get(r);
            Run before = r == 0 ? null : runs.get(r - 1);
            String carried = before == null ? first(run, findings) : carriedOn(before, run, runs, findings);
            String how;
            if (run.ended) {
                how = "stopped cleanly (end line at " + run.lastTime + ")";
            } else if (r + 1 < runs.size()) {
                how = "ended without a clean stop (crash or kill) after seq " + run.lastSeq;
                // A crash and a cut tail whose state file was rewritten to name the new last line look the same from
                // the file alone: never OK, and an anchor kept off the host tells them apart.
                findings.add(new Finding(
                        Verdict.INCOMPLETE,
                        run.lastLine,
                        run.name() + " ended without a clean stop (crash or"
                                + " kill) after seq " + run.lastSeq + " at " + run.lastTime
                                + ": lines it wrote after that cannot be"
                                + " proven complete (a crash, or a cut tail with the state file "
                                + "rewritten); check with --anchor"));
            } else {
                how = "has no end line and no later start";
                findings.add(new Finding(
                        Verdict.INCOMPLETE,
                        run.lastLine,
                        run.name() + " has neither an end line nor a later"
                                + " start: the node is still running, crashed, or the end of the log was cut; "
                                + "last checkpoint "
                                + (run.lastCheckpoint == null ? "none" : run.lastCheckpoint)
                                + (run.interval > 0 ? " (one every " + run.interval + " s)" : "") + ", last line seq "
                                + run.lastSeq
                                + " at " + run.lastTime));
            }
            summaries.add(run.name() + ": lines " + run.firstLine + "-" + run.lastLine + ", seq " + run.firstSeq + "-"
                    + run.lastSeq + " (" + run.lines + " lines), " + how + (carried == null ? "" : "; " + carried));
        }
    }

    /**
     * A node's first run in the file: the beginning of its history, or a later run whose predecessors are elsewhere.
     */
    private static String first(Run run, List<Finding> findings) {
        if (run.begunMidRun || !run.startVerified) {
            return null;
        }
        if (unknownContinuity(run, findings)) {
            return "continuity unknown";
        }
        if (run.number != null && run.number > 1) {
            findings.add(new Finding(
                    Verdict.INCOMPLETE,
                    run.firstLine,
                    "the history of node " + run.node + " begins at run "
                            + run.number + " (which carries on from seq " + run.prevSeq + "): runs 1 to "
                            + (run.number - 1)
                            + " are in an older (rotated) file, or were deleted; give the older files "
                            + "first to check them"));
            return "the runs before it are not in the file";
        }
        return "the first run of this node";
    }

    /** Start lines that cannot name their predecessor: no usable state file, or an older writer. */
    private static boolean unknownContinuity(Run run, List<Finding> findings) {
        if (run.startFlag != null) {
            findings.add(new Finding(
                    Verdict.INCOMPLETE,
                    run.firstLine,
                    run.name() + " started without a usable state file (" + run.startFlag
                            + "): whether runs before it are missing cannot be told; see the node's "
                            + "warning at that start"));
            return true;
        }
        if (run.legacyStart) {
            findings.add(new Finding(
                    Verdict.INCOMPLETE,
                    run.firstLine,
                    "a start of node " + run.node + " written by an older warden"
                            + " (no run number): whether runs before it are missing cannot be told"));
            return true;
        }
        return false;
    }

    /**
     * How {@code run} carries on from {@code before} (the node's previous run in the file); adds a finding if it does
     * not.
     */
    private static String carriedOn(Run before, Run run, List<Run> all, List<Finding> findings) {
        if (!run.startVerified) {
            return null;
        }
        if (unknownContinuity(run, findings)) {
            return "continuity unknown";
        }
        if (run.number != null && run.number == 1 && run.prevSeq == null) {
            findings.add(new Finding(
                    Verdict.INCOMPLETE,
                    run.firstLine,
                    "node " + run.node + " started over at run 1 after "
                            + before.name()
                            + ": its state file was lost, replaced or deleted, so whether runs in between are missing"
                            + " cannot be told"));
            return "a new history (the state file was lost)";
        }
        if (before.number != null && run.number != null) {
            // killed right after logging its start line, before saving the state: the next start names the same run and
            // predecessor
            if (run.number.equals(before.number)
                    && before.lines == 1
                    && !before.ended
                    && Objects.equals(run.prevSeq, before.prevSeq)
                    && Objects.equals(run.prevMac, before.prevMac)) {
                return "run " + run.number
                        + " again: the node was killed right after its start line, before it saved its state";
            }
            if (run.number <= before.number) {
                findings.add(new Finding(
                        Verdict.TAMPERED,
                        run.firstLine,
                        "run " + run.number + " of node " + run.node + " comes after" + " run " + before.number
                                + " (line " + before.firstLine + "): runs out of order (swapped or moved)"));
                return null;
            }
            if (run.number > before.number + 1) {
                long from = before.number + 1;
                long to = run.number - 1;
                boolean elsewhere = all.stream().anyMatch(o -> o.number != null && o.number >= from && o.number <= to);
                findings.add(new Finding(
                        Verdict.TAMPERED,
                        run.firstLine,
                        (from == to ? "run " + from : "runs " + from + " to " + to)
                                + " of node " + run.node + " missing between line " + before.lastLine + " and line "
                                + run.firstLine
                                + (elsewhere
                                        ? ": they are elsewhere in the file (runs swapped or moved)"
                                        : ": removed")));
                return null;
            }
        }
        if (run.prevSeq == null || run.prevMac == null) {
            findings.add(new Finding(
                    Verdict.TAMPERED,
                    run.firstLine,
                    run.name() + " names no run before it, but " + before.name() + " is in the file before it"));
            return null;
        }
        List<Kept> tail = new ArrayList<>(before.tail);
        for (int k = tail.size() - 1; k >= 0; k--) {
            Kept kept = tail.get(k);
            if (kept.seq() != run.prevSeq) {
                continue;
            }
            if (!kept.mac().equals(run.prevMac)) {
                findings.add(new Finding(
                        Verdict.TAMPERED,
                        run.firstLine,
                        run.name() + " does not carry on from " + before.name() + ": the mac of seq " + run.prevSeq
                                + " (line " + kept.line() + ") differs from the one its start names"));
                return null;
            }
            int after = tail.size() - 1 - k;
            if (after == 0) {
                return before.ended
                        ? "carried on from the clean stop of " + before.name()
                        : "carried on from " + before.name() + " after its crash (seq " + run.prevSeq + ")";
            }
            if (before.unwritable) {
                findings.add(new Finding(
                        Verdict.INCOMPLETE,
                        run.firstLine,
                        before.name() + " could not save its state file, so " + run.name() + " carries on from seq "
                                + run.prevSeq + " with " + after + " line(s) after it unlinked"));
                return "continuity unknown after seq " + run.prevSeq;
            }
            if (before.ended) {
                findings.add(new Finding(
                        Verdict.TAMPERED,
                        run.firstLine,
                        run.name() + " carries on from seq " + run.prevSeq
                                + " (line " + kept.line() + "), but " + before.name()
                                + " went on to a clean end after it: lines were"
                                + " inserted, or the state file was replaced"));
                return null;
            }
            if (after > 1) {
                findings.add(new Finding(
                        Verdict.INCOMPLETE,
                        run.firstLine,
                        run.name() + " carries on from seq " + run.prevSeq
                                + ", " + after + " lines before the end of " + before.name()
                                + ": more than the one line a kill can leave"
                                + " unsaved (was the state file restored from a backup?)"));
            }
            return "carried on from " + before.name() + " after its crash at seq " + run.prevSeq + " (" + after
                    + " line(s) after it, written in the crash window)";
        }
        if (before.unwritable) {
            findings.add(new Finding(
                    Verdict.INCOMPLETE,
                    run.firstLine,
                    before.name() + " could not save its state file, so " + run.name() + " (carrying on from seq "
                            + run.prevSeq + ") cannot be linked to it"));
            return "continuity unknown";
        }
        if (run.prevSeq > before.lastSeq) {
            findings.add(new Finding(
                    Verdict.TAMPERED,
                    run.firstLine,
                    "the end of " + before.name() + " is missing: " + run.name()
                            + " carries on from seq " + run.prevSeq + ", but the last line of " + before.name()
                            + " in the file is seq "
                            + before.lastSeq + " (line " + before.lastLine + "); lines were cut before this start"));
            return null;
        }
        if (run.prevSeq >= before.firstSeq
                && !before.tail.isEmpty()
                && run.prevSeq < before.tail.peekFirst().seq()) {
            findings.add(new Finding(
                    Verdict.INCOMPLETE,
                    run.firstLine,
                    run.name() + " carries on from seq " + run.prevSeq + ", more than " + TAIL
                            + " lines before the end of " + before.name()
                            + " (was the state file restored from a backup?)"));
            return "continuity unknown";
        }
        findings.add(new Finding(
                Verdict.TAMPERED,
                run.firstLine,
                run.name() + " carries on from seq " + run.prevSeq + ", which is not a" + " line of " + before.name()
                        + " (seq " + before.firstSeq + "-" + before.lastSeq + "): runs swapped, moved or removed"));
        return null;
    }

    private static void checkAnchors(
            Map<String, Map<Long, String>> wanted,
            Map<String, Map<Long, List<String>>> seen,
            Map<String, List<Run>> runsByNode,
            List<Finding> findings) {
        wanted.forEach((node, bySeq) -> bySeq.forEach((seq, mac) -> {
            List<String> macs = seen.getOrDefault(node, Map.of()).get(seq);
            String anchor = "anchor " + node + "=" + seq;
            if (macs == null) {
                List<Run> runs = runsByNode.get(node);
                long last = runs == null ? -1 : runs.get(runs.size() - 1).lastSeq;
                findings.add(new Finding(
                        Verdict.TAMPERED,
                        0,
                        anchor + ": no such line in the file"
                                + (runs == null
                                        ? " (no line of node " + node + " at all)"
                                        : seq > last
                                                ? " (node " + node + "'s last line is seq " + last
                                                        + ": the end of the log was cut)"
                                                : " (removed)")));
            } else if (macs.stream()
                    .noneMatch(m -> MessageDigest.isEqual(
                            m.getBytes(StandardCharsets.US_ASCII), mac.getBytes(StandardCharsets.US_ASCII)))) {
                findings.add(new Finding(
                        Verdict.TAMPERED,
                        0,
                        anchor + ": the line's mac differs from the anchor (the line, or the"
                                + " history up to it, was rewritten)"));
            }
        }));
    }

    private static Map<String, Map<Long, String>> parseAnchors(List<String> anchors) {
        Map<String, Map<Long, String>> wanted = new LinkedHashMap<>();
        for (String anchor : anchors) {
            int colon = anchor.lastIndexOf(':');
            int eq = colon < 0 ? -1 : anchor.lastIndexOf('=', colon);
            if (eq <= 0 || colon == anchor.length() - 1) {
                throw new IllegalArgumentException("an anchor is node=seq:mac, not '" + anchor + "'");
            }
            long seq;
            try {
                seq = Long.parseLong(anchor.substring(eq + 1, colon));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("an anchor is node=seq:mac (seq a number), not '" + anchor + "'");
            }
            wanted.computeIfAbsent(anchor.substring(0, eq), n -> new LinkedHashMap<>())
                    .put(seq, anchor.substring(colon + 1));
        }
        return wanted;
    }

    private static boolean matches(byte[] key, String previous, String unsealed, String mac) {
        String expected = AuditChain.mac(key, previous, unsealed);
        return MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), mac.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The audit record of one line of the file, or null when the line is none: a line that begins with the record (a
     * file of nothing but records), or a Keycloak plain-format line whose first bracketed token is the category
     * {@code [warden.audit]} ("" when such a line holds no record: cut off). A {@code {"v":} anywhere else, such as in
     * a User-Agent logged by another category, is not an audit line.
     */
    static String record(String raw) {
        String line = raw.startsWith("\uFEFF") ? raw.substring(1) : raw;
        line = line.stripTrailing();
        if (line.startsWith(MARKER)) {
            return line;
        }
        int open = line.indexOf('[');
        if (open < 0) {
            return null;
        }
        int close = line.indexOf(']', open);
        if (close < 0 || !line.substring(open + 1, close).equals(CATEGORY)) {
            return null;
        }
        int at = line.indexOf(MARKER, close);
        return at < 0 ? "" : line.substring(at);
    }

    /**
     * The writer's fields after the last {@code ,"node":}: node, seq, then run, prevSeq, prevMac, interval, state,
     * chain.
     */
    private static Tail tail(String unsealed) {
        int at = unsealed.lastIndexOf(",\"node\":\"");
        if (at < 0) {
            return null;
        }
        int[] pos = {at + ",\"node\":".length()};
        String node = string(unsealed, pos);
        if (node == null) {
            return null;
        }
        Map<String, String> fields = new HashMap<>();
        while (pos[0] < unsealed.length() - 1) {
            if (unsealed.charAt(pos[0]) != ',') {
                return null;
            }
            pos[0]++;
            String name = string(unsealed, pos);
            if (name == null || pos[0] >= unsealed.length() || unsealed.charAt(pos[0]) != ':') {
                return null;
            }
            pos[0]++;
            String value;
            if (pos[0] < unsealed.length() && unsealed.charAt(pos[0]) == '"') {
                value = string(unsealed, pos);
            } else {
                int start = pos[0];
                while (pos[0] < unsealed.length()
                        && (Character.isDigit(unsealed.charAt(pos[0])) || unsealed.charAt(pos[0]) == '-')) {
                    pos[0]++;
                }
                value = pos[0] > start ? unsealed.substring(start, pos[0]) : null;
            }
            if (value == null) {
                return null;
            }
            fields.put(name, value);
        }
        if (pos[0] != unsealed.length() - 1 || unsealed.charAt(pos[0]) != '}') {
            return null;
        }
        try {
            return new Tail(node, Long.parseLong(fields.get("seq")), fields);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A JSON string at {@code pos[0]} (which must be its opening quote); moves past it. */
    private static String string(String json, int[] pos) {
        if (pos[0] >= json.length() || json.charAt(pos[0]) != '"') {
            return null;
        }
        StringBuilder out = new StringBuilder();
        int i = pos[0] + 1;
        while (i < json.length()) {
            char c = json.charAt(i);
            if (c == '"') {
                pos[0] = i + 1;
                return out.toString();
            }
            if (c == '\\') {
                if (i + 1 >= json.length()) {
                    return null;
                }
                char e = json.charAt(i + 1);
                switch (e) {
                    case 'u' -> {
                        if (i + 6 > json.length()) {
                            return null;
                        }
                        try {
                            out.append((char) Integer.parseInt(json.substring(i + 2, i + 6), 16));
                        } catch (NumberFormatException x) {
                            return null;
                        }
                        i += 6;
                        continue;
                    }
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    default -> out.append(e);
                }
                i += 2;
                continue;
            }
            out.append(c);
            i++;
        }
        return null;
    }

    private static String lastString(String json, String name) {
        int at = json.lastIndexOf(",\"" + name + "\":\"");
        if (at < 0) {
            return null;
        }
        int[] pos = {at + name.length() + 4};
        return string(json, pos);
    }

    /** The record's time: always its second field, right after {@code "v"}. */
    private static String time(String unsealed) {
        String key = ",\"time\":\"";
        int at = unsealed.indexOf(key);
        if (at < 0 || at > 10) {
            return "?";
        }
        int end = unsealed.indexOf('"', at + key.length());
        return end < 0 ? "?" : unsealed.substring(at + key.length(), end);
    }

    /** The command line; returns the exit code. */
    public static int run(List<String> args) {
        List<String> files = new ArrayList<>();
        List<String> anchors = new ArrayList<>();
        String keyFile = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--key-file") && i + 1 < args.size()) {
                keyFile = args.get(++i);
            } else if (arg.equals("--anchor") && i + 1 < args.size()) {
                anchors.add(args.get(++i));
            } else if (arg.startsWith("--anchor=")) {
                anchors.add(arg.substring("--anchor=".length()));
            } else if (!arg.startsWith("--")) {
                files.add(arg);
            } else {
                return usage("unexpected argument " + arg);
            }
        }
        if (files.isEmpty()) {
            return usage("no audit file given");
        }
        byte[] key;
        try {
            if (keyFile != null) {
                key = Files.readString(Path.of(keyFile), StandardCharsets.UTF_8)
                        .strip()
                        .getBytes(StandardCharsets.UTF_8);
            } else if (System.getenv("WARDEN_AUDIT_KEY") != null) {
                key = System.getenv("WARDEN_AUDIT_KEY").strip().getBytes(StandardCharsets.UTF_8);
            } else {
                return usage("no key: give --key-file FILE or set WARDEN_AUDIT_KEY");
            }
            if (key.length == 0) {
                return usage("the key is empty");
            }
            if (key.length < AuditSettings.MIN_CHAIN_KEY_BYTES) {
                System.err.println("verify-audit: warning: the key has " + key.length
                        + " bytes; warden refuses chain keys shorter than " + AuditSettings.MIN_CHAIN_KEY_BYTES
                        + " (lines from older versions may still use it)");
            }
            List<String> lines = new ArrayList<>();
            for (String file : files) {
                lines.addAll(Files.readAllLines(Path.of(file), StandardCharsets.UTF_8));
            }
            Result result = verify(lines, key, anchors);
            String input = String.join(" + ", files);
            if (result.lines() == 0) {
                System.out.println(
                        "NO AUDIT LINES: " + input + " holds no warden audit line (is it the right file, in plain log"
                                + " format, with the category [warden.audit]?)");
                return 2;
            }
            print(result, anchors.size());
            return result.verdict().exit();
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        } catch (IOException e) {
            System.err.println("verify-audit: cannot read " + e.getMessage());
            return 2;
        }
    }

    private static void print(Result result, int anchors) {
        String counts = result.lines() + " audit lines, " + result.chainStarts() + " run start(s) of " + result.nodes()
                + " node(s)" + (anchors > 0 ? ", " + anchors + " anchor(s)" : "");
        switch (result.verdict()) {
            case OK ->
                System.out.println("OK: " + counts + "; every mac matches, every run carries on from the one before it,"
                        + " every node's last run stopped cleanly" + (anchors > 0 ? ", every anchor is present" : ""));
            case TAMPERED ->
                System.out.println("TAMPERED: " + result.tampered().size() + " problem(s) in " + counts
                        + (result.incomplete().isEmpty()
                                ? ""
                                : "; also " + result.incomplete().size() + " gap(s)"));
            case INCOMPLETE ->
                System.out.println("INCOMPLETE: " + counts + "; every mac matches, but "
                        + result.incomplete().size() + " gap(s) cannot be checked from this file");
        }
        List<Finding> findings = result.findings();
        findings.stream().limit(SHOWN).forEach(f -> System.out.println("  " + f));
        if (findings.size() > SHOWN) {
            System.out.println("  ... and " + (findings.size() - SHOWN) + " more");
        }
        System.out.println("runs:");
        result.runs().forEach(r -> System.out.println("  " + r));
    }

    private static int usage(String problem) {
        System.err.println("verify-audit: " + problem);
        System.err.println("usage: java -jar keycloak-warden.jar verify-audit FILE... [--key-file KEYFILE] [--anchor "
                + "node=seq:mac]..." + "   (or WARDEN_AUDIT_KEY=...; rotated files oldest first)");
        System.err.println("exit: 0 OK, 1 TAMPERED, 3 INCOMPLETE, 2 usage, unreadable or no audit line");
        return 2;
    }
}
