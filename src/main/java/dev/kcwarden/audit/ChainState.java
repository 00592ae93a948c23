package dev.kcwarden.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * What a node must remember across restarts so that the verifier can link its runs: its name, the number of its last
 * run, and the seq and mac of the last line it wrote. Kept in one small file of fixed size, overwritten in place with
 * one write after every line (no fsync: a kill loses nothing the kernel already has; the line is always logged before
 * the state says so, so a kill leaves the state at worst one line behind, which the verifier tolerates). The file is
 * locked while the node runs, so two processes cannot share it by mistake.
 *
 * <p>Never throws: when the file cannot be read, locked or written, the node keeps logging and its lines say so
 * ({@link #startFlag()}, {@link #unwritable()}), so the verifier reports continuity as unknown instead of a false
 * alarm.
 */
final class ChainState {

    private static final Logger LOG = Logger.getLogger(ChainState.class);
    static final String HEADER = "warden-audit-chain-state 1";
    /** Longer than any record (node at most 128 characters): one write, always the same size. */
    static final int RECORD_BYTES = 512;

    private final Path path;
    private final String node;
    private final long lastRun;
    private final long lastSeq;
    private final String lastMac;
    /** null when the state was read; "unreadable" or "unavailable" when the first start line must say why not. */
    private final String startFlag;

    private final FileChannel channel;
    private final FileLock lock;
    private volatile boolean unwritable;

    private ChainState(
            Path path,
            String node,
            long lastRun,
            long lastSeq,
            String lastMac,
            String startFlag,
            FileChannel channel,
            FileLock lock) {
        this.path = path;
        this.node = node;
        this.lastRun = lastRun;
        this.lastSeq = lastSeq;
        this.lastMac = lastMac;
        this.startFlag = startFlag;
        this.channel = channel;
        this.lock = lock;
    }

    /** Opens (or creates) the state file; {@code configuredNode} null means the name kept in it, or a new one. */
    static ChainState open(Path path, String configuredNode) {
        FileChannel channel = null;
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            channel = FileChannel.open(
                    path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return unavailable(
                        path,
                        configuredNode,
                        "it is in use by another Keycloak process; give each process its own "
                                + AuditSettings.STATE_FILE + " (and " + AuditSettings.NODE + ")");
            }
            ByteBuffer buffer = ByteBuffer.allocate(RECORD_BYTES * 2);
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
                // read the whole (small) file
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            if (text.isBlank()) {
                String node = configuredNode != null ? configuredNode : AuditSettings.defaultNode();
                return new ChainState(path, node, 0, 0, null, null, channel, lock);
            }
            Map<String, String> fields = parse(text);
            if (fields == null) {
                String node = configuredNode != null ? configuredNode : AuditSettings.defaultNode();
                LOG.warnf(
                        "warden-audit: the chain state file %s is damaged, so the next run cannot be linked to "
                                + "the ones before it"
                                + " (verify-audit will say continuity is unknown); starting a new chain as node "
                                + "%s. Keep the file on storage that"
                                + " survives restarts and is written by this node only",
                        path, node);
                return new ChainState(path, node, 0, 0, null, "unreadable", channel, lock);
            }
            String kept = fields.get("node");
            if (configuredNode != null && !configuredNode.equals(kept)) {
                LOG.infof(
                        "warden-audit: node renamed from %s to %s; the new name starts its own chain at run 1",
                        kept, configuredNode);
                return new ChainState(path, configuredNode, 0, 0, null, null, channel, lock);
            }
            String mac = fields.get("mac");
            return new ChainState(
                    path,
                    kept,
                    Long.parseLong(fields.get("run")),
                    Long.parseLong(fields.get("seq")),
                    "-".equals(mac) ? null : mac,
                    null,
                    channel,
                    lock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            return unavailable(
                    path,
                    configuredNode,
                    "it cannot be opened (" + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage())
                            + "); make its directory writable for Keycloak, or set "
                            + AuditSettings.STATE_FILE + " to a path that is");
        }
    }

    /** A state that is never saved (unit tests of the line format). */
    static ChainState inMemory(String node) {
        return new ChainState(null, node == null ? AuditSettings.defaultNode() : node, 0, 0, null, null, null, null);
    }

    private static ChainState unavailable(Path path, String configuredNode, String why) {
        String node = configuredNode != null ? configuredNode : AuditSettings.defaultNode();
        LOG.warnf(
                "warden-audit: chain state file %s not used: %s. Audit lines are still written, as node %s, but "
                        + "each start"
                        + " begins a chain that verify-audit cannot link to the runs before it (continuity unknown)",
                path, why, node);
        return new ChainState(path, node, 0, 0, null, "unavailable", null, null);
    }

    /** The record's fields, or null when it is not a complete record of this format. */
    static Map<String, String> parse(String text) {
        String[] lines = text.strip().split("\n");
        if (lines.length != 5 || !lines[0].equals(HEADER)) {
            return null;
        }
        Map<String, String> fields = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int eq = lines[i].indexOf('=');
            if (eq <= 0) {
                return null;
            }
            fields.put(lines[i].substring(0, eq), lines[i].substring(eq + 1));
        }
        try {
            if (Long.parseLong(fields.get("run")) < 0 || Long.parseLong(fields.get("seq")) < 0) {
                return null;
            }
        } catch (NumberFormatException e) {
            return null;
        }
        String node = fields.get("node");
        String mac = fields.get("mac");
        return node == null || node.isEmpty() || mac == null || mac.isEmpty() ? null : fields;
    }

    static byte[] record(String node, long run, long seq, String mac) {
        String text = HEADER + "\nnode=" + node + "\nrun=" + run + "\nseq=" + seq + "\nmac=" + (mac == null ? "-" : mac)
                + "\n";
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        byte[] padded = new byte[RECORD_BYTES];
        Arrays.fill(padded, (byte) ' ');
        System.arraycopy(content, 0, padded, 0, Math.min(content.length, RECORD_BYTES - 1));
        padded[RECORD_BYTES - 1] = '\n';
        return padded;
    }

    /** After a line is logged: this node's last run, seq and mac. One write in place; a failure warns once. */
    void save(long run, long seq, String mac) {
        if (channel == null || unwritable) {
            return;
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(record(node, run, seq, mac));
            long at = 0;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
        } catch (IOException | RuntimeException e) {
            unwritable = true;
            LOG.warnf(
                    "warden-audit: cannot write the chain state file %s (%s); audit lines are still written and say so"
                            + " (\"state\":\"unwritable\"), but the next start cannot be linked to this run. "
                            + "Free the disk or fix the"
                            + " permissions, then restart",
                    path, e.getClass().getSimpleName());
        }
    }

    String node() {
        return node;
    }

    long lastRun() {
        return lastRun;
    }

    long lastSeq() {
        return lastSeq;
    }

    String lastMac() {
        return lastMac;
    }

    /** Null, or why the first start line cannot name the run before it. */
    String startFlag() {
        return startFlag;
    }

    /** True once a save failed: the lines after it carry {@code "state":"unwritable"}. */
    boolean unwritable() {
        return unwritable;
    }

    Path path() {
        return path;
    }

    void close() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.debugf("warden-audit: closing %s: %s", path, e.getMessage());
        }
    }
}
