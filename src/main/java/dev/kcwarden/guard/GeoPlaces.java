package dev.kcwarden.guard;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;

/**
 * The approximate place of a client address, from a GeoIP database in DB-IP's free CSV form ("IP to City Lite":
 * {@code ip_start,ip_end,continent,country,stateprov,city,latitude,longitude}; "IP to Country Lite":
 * {@code ip_start,ip_end,country}; also {@code ip_start,ip_end,continent,country}), plain or gzip-compressed. Loaded
 * once into sorted arrays (IPv4 and IPv6 apart) and looked up by binary search; equal place texts are stored once.
 *
 * <p>A bad row (unparsable address, end before start, a range that overlaps or comes before the previous one, an
 * overlong line, a wrong number of fields) is skipped, and one warning per load names the file, how many rows were
 * skipped and the first such line with its reason. A file that cannot be read, or has no usable row, gives no places at
 * all. Never throws into a login: {@link #placeFor} answers {@code ""} when anything is wrong.
 */
public final class GeoPlaces {

    private static final Logger LOG = Logger.getLogger(GeoPlaces.class);

    /** No file configured, or nothing usable in it. */
    public static final GeoPlaces NONE =
            new GeoPlaces(new int[0], new int[0], new int[0], new long[0], new int[0], new String[0]);

    /** A line longer than this is not a DB-IP row (theirs are under 200 characters); it is skipped. */
    static final int MAX_LINE = 1_000;
    /** At most this many ranges are kept (about 300 MB); the rest of a bigger file is left out, with a warning. */
    static final int MAX_ROWS = 10_000_000;
    /**
     * Distinct place texts kept at most (a city file has a few hundred thousand); rows with a new place past it are
     * left out, so a file of ever different names cannot fill the heap.
     */
    static final int MAX_PLACES = 500_000;
    /** Lines read at most, good or bad: a file that never ends (a FIFO, a gzip bomb of blank lines) stops here. */
    static final long MAX_LINES = 20_000_000;
    /** How much of one name (city, region) the mail shows. */
    static final int MAX_NAME = 60;
    /** How much of the whole place text the mail shows. */
    static final int MAX_PLACE = 120;
    /** DB-IP's country code for "unknown" (reserved and private ranges). */
    static final String UNKNOWN_COUNTRY = "ZZ";

    private final int[] v4Start;
    private final int[] v4End;
    private final int[] v4Place;
    /** IPv6 ranges: start high, start low, end high, end low, four longs per row. */
    private final long[] v6;

    private final int[] v6Place;
    private final String[] places;

    private GeoPlaces(int[] v4Start, int[] v4End, int[] v4Place, long[] v6, int[] v6Place, String[] places) {
        this.v4Start = v4Start;
        this.v4End = v4End;
        this.v4Place = v4Place;
        this.v6 = v6;
        this.v6Place = v6Place;
        this.places = places;
    }

    /**
     * The place of the address in the server's GeoIP file, {@code ""} when none is configured, the address is not in
     * it, or anything goes wrong: the mail goes out without a place then.
     */
    static String placeFor(KeycloakSession session, String address) {
        try {
            GeoPlaceProvider provider = session.getProvider(GeoPlaceProvider.class);
            return provider == null ? "" : provider.place(address);
        } catch (RuntimeException e) {
            LOG.debugf("no place for the new-device alert: %s", e.getClass().getSimpleName());
            return "";
        }
    }

    /** Rows loaded, IPv4 and IPv6 together. */
    int rows() {
        return v4Start.length + v6Place.length;
    }

    /** Distinct place texts. */
    int distinctPlaces() {
        return places.length;
    }

    /** The place text of {@code address} (IPv4 or IPv6 text), {@code ""} when the file has none. */
    public String place(String address) {
        if (address == null || address.isEmpty() || address.length() > 64) {
            return "";
        }
        long[] v6Address = new long[2];
        if (address.indexOf(':') < 0) {
            long v4 = ipv4(address);
            return v4 < 0 ? "" : placeV4((int) v4);
        }
        if (!ipv6(address, v6Address)) {
            return "";
        }
        if (v6Address[0] == 0 && (v6Address[1] >>> 32) == 0xFFFFL) {
            return placeV4((int) v6Address[1]); // ::ffff:a.b.c.d is an IPv4 client
        }
        return placeV6(v6Address[0], v6Address[1]);
    }

    private String placeV4(int address) {
        int low = 0;
        int high = v4Start.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (Integer.compareUnsigned(v4Start[mid], address) <= 0) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return high >= 0 && Integer.compareUnsigned(address, v4End[high]) <= 0 ? places[v4Place[high]] : "";
    }

    private String placeV6(long hi, long lo) {
        int low = 0;
        int high = v6Place.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (compare(v6[4 * mid], v6[4 * mid + 1], hi, lo) <= 0) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return high >= 0 && compare(hi, lo, v6[4 * high + 2], v6[4 * high + 3]) <= 0 ? places[v6Place[high]] : "";
    }

    private static int compare(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    /**
     * Loads {@code file}; logs what it skipped or why it loaded nothing (one line each, naming the file), never throws.
     */
    public static GeoPlaces load(Path file) {
        try (InputStream in = open(file)) {
            Loader loader = new Loader(MAX_ROWS);
            loader.read(new InputStreamReader(
                    in,
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPLACE)
                            .onUnmappableCharacter(CodingErrorAction.REPLACE)));
            GeoPlaces places = loader.build();
            if (loader.skipped > 0) {
                LOG.warnf(
                        "GeoIP file %s: skipped %d bad rows; the first is line %d (%s)",
                        file, loader.skipped, loader.firstBadLine, loader.firstBadReason);
            }
            if (loader.placesFull > 0) {
                LOG.warnf(
                        "GeoIP file %s: more than %d distinct places; %d rows with further places are left out",
                        file, MAX_PLACES, loader.placesFull);
            }
            if (loader.truncatedAt > 0) {
                LOG.warnf(
                        "GeoIP file %s: more than %d ranges, the rest from line %d is left out",
                        file, MAX_ROWS, loader.truncatedAt);
            }
            if (places.rows() == 0) {
                LOG.warnf("GeoIP file %s has no usable row: new-device mails show no place", file);
                return NONE;
            }
            LOG.infof("GeoIP file %s: %d ranges, %d places", file, places.rows(), places.distinctPlaces());
            return places;
        } catch (OutOfMemoryError e) {
            // The arrays are garbage once this returns; the server keeps its heap and mails show no place.
            LOG.warnf("GeoIP file %s needs more heap than this server has: new-device mails show no place", file);
            return NONE;
        } catch (IOException | RuntimeException e) {
            // The exception's message may quote file content; its class and the path are enough to act on.
            LOG.warnf(
                    "GeoIP file %s cannot be read (%s): new-device mails show no place",
                    file, e.getClass().getSimpleName());
            return NONE;
        }
    }

    /** The file, un-gzipped when it starts with gzip's magic bytes (whatever its name says). */
    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        return first == 0x1f && second == 0x8b ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16)) : in;
    }

    /** Reads rows into growing arrays; checks order per address family. */
    static final class Loader {
        private int[] v4Start = new int[1024];
        private int[] v4End = new int[1024];
        private int[] v4Place = new int[1024];
        private int v4Count;
        private long[] v6 = new long[4 * 1024];
        private int[] v6Place = new int[1024];
        private int v6Count;
        private final int maxRows;
        private final Map<String, Integer> placeIndex = new HashMap<>();
        private final List<String> places = new ArrayList<>();
        int skipped;
        /** Lines read so far, counted against {@link #MAX_LINES}. */
        long lines;
        /** Rows left out because their place would have been one more than {@link #MAX_PLACES}. */
        long placesFull;
        /** The line where reading stopped at {@link #MAX_ROWS}; 0 when the whole file was read. */
        long truncatedAt;

        long firstBadLine;
        String firstBadReason;

        private final int maxPlaces;
        private final long maxLines;

        Loader(int maxRows) {
            this(maxRows, MAX_PLACES, MAX_LINES);
        }

        Loader(int maxRows, int maxPlaces, long maxLines) {
            this.maxRows = maxRows;
            this.maxPlaces = maxPlaces;
            this.maxLines = maxLines;
        }

        void read(Reader reader) throws IOException {
            char[] buffer = new char[1 << 16];
            StringBuilder line = new StringBuilder(256);
            boolean overlong = false;
            long lineNumber = 1;
            int n;
            while (!full() && (n = reader.read(buffer)) > 0) {
                for (int i = 0; i < n && !full(); i++) {
                    char c = buffer[i];
                    if (c == '\n') {
                        lines++;
                        row(lineNumber++, line, overlong);
                        line.setLength(0);
                        overlong = false;
                    } else if (line.length() < MAX_LINE) {
                        line.append(c);
                    } else {
                        overlong = true;
                    }
                }
            }
            if (full()) {
                truncatedAt = lineNumber;
            } else if (line.length() > 0 || overlong) {
                row(lineNumber, line, overlong);
            }
        }

        boolean full() {
            return v4Count + v6Count >= maxRows || lines >= maxLines;
        }

        private void row(long number, StringBuilder text, boolean overlong) {
            if (overlong) {
                bad(number, "line longer than " + MAX_LINE + " characters");
                return;
            }
            int length = text.length();
            if (length > 0 && text.charAt(length - 1) == '\r') {
                text.setLength(length - 1);
            }
            if (text.length() == 0) {
                return; // blank lines are not rows
            }
            List<String> fields = fields(text);
            if (fields == null) {
                bad(number, "unbalanced quotes");
                return;
            }
            String country;
            String region = "";
            String city = "";
            switch (fields.size()) {
                case 3 -> country = fields.get(2);
                case 4 -> country = fields.get(3);
                case 6, 8 -> {
                    country = fields.get(3);
                    region = fields.get(4);
                    city = fields.get(5);
                }
                default -> {
                    bad(number, fields.size() + " fields, expected 3, 4, 6 or 8");
                    return;
                }
            }
            String start = fields.get(0).strip();
            String end = fields.get(1).strip();
            String place = place(city, region, country);
            if (start.indexOf(':') < 0 && end.indexOf(':') < 0) {
                addV4(number, start, end, place);
            } else if (start.indexOf(':') >= 0 && end.indexOf(':') >= 0) {
                addV6(number, start, end, place);
            } else {
                bad(number, "start and end of different address families");
            }
        }

        private void addV4(long number, String startText, String endText, String place) {
            long start = ipv4(startText);
            long end = ipv4(endText);
            if (start < 0 || end < 0) {
                bad(number, "not an IPv4 address");
                return;
            }
            if (end < start) {
                bad(number, "range ends before it starts");
                return;
            }
            if (v4Count > 0 && Integer.toUnsignedLong(v4End[v4Count - 1]) >= start) {
                bad(number, "range overlaps or comes before the previous one");
                return;
            }
            if (place.isEmpty()) {
                return; // an unknown place: the lookup finds nothing there, as in a gap
            }
            int at = index(place);
            if (at < 0) {
                return; // the place budget is spent: a gap, as for an unknown place
            }
            if (v4Count == v4Start.length) {
                v4Start = Arrays.copyOf(v4Start, v4Count * 2);
                v4End = Arrays.copyOf(v4End, v4Count * 2);
                v4Place = Arrays.copyOf(v4Place, v4Count * 2);
            }
            v4Start[v4Count] = (int) start;
            v4End[v4Count] = (int) end;
            v4Place[v4Count++] = at;
        }

        private void addV6(long number, String startText, String endText, String place) {
            long[] start = new long[2];
            long[] end = new long[2];
            if (!ipv6(startText, start) || !ipv6(endText, end)) {
                bad(number, "not an IPv6 address");
                return;
            }
            if (compare(end[0], end[1], start[0], start[1]) < 0) {
                bad(number, "range ends before it starts");
                return;
            }
            if (v6Count > 0 && compare(v6[4 * v6Count - 2], v6[4 * v6Count - 1], start[0], start[1]) >= 0) {
                bad(number, "range overlaps or comes before the previous one");
                return;
            }
            if (place.isEmpty()) {
                return;
            }
            int at = index(place);
            if (at < 0) {
                return;
            }
            if (v6Count == v6Place.length) {
                v6 = Arrays.copyOf(v6, v6Count * 8);
                v6Place = Arrays.copyOf(v6Place, v6Count * 2);
            }
            v6[4 * v6Count] = start[0];
            v6[4 * v6Count + 1] = start[1];
            v6[4 * v6Count + 2] = end[0];
            v6[4 * v6Count + 3] = end[1];
            v6Place[v6Count++] = at;
        }

        /** The place's number, or -1 when it is new and {@link #MAX_PLACES} are kept already. */
        private int index(String place) {
            Integer known = placeIndex.get(place);
            if (known != null) {
                return known;
            }
            if (places.size() >= maxPlaces) {
                placesFull++;
                return -1;
            }
            places.add(place);
            placeIndex.put(place, places.size() - 1);
            return places.size() - 1;
        }

        private void bad(long number, String reason) {
            if (skipped++ == 0) {
                firstBadLine = number;
                firstBadReason = reason;
            }
        }

        GeoPlaces build() {
            return new GeoPlaces(
                    Arrays.copyOf(v4Start, v4Count),
                    Arrays.copyOf(v4End, v4Count),
                    Arrays.copyOf(v4Place, v4Count),
                    Arrays.copyOf(v6, 4 * v6Count),
                    Arrays.copyOf(v6Place, v6Count),
                    places.toArray(String[]::new));
        }
    }

    /** The fields of one RFC 4180 line (quotes around a field, {@code ""} inside one); null when a quote is open. */
    static List<String> fields(CharSequence line) {
        List<String> fields = new ArrayList<>(8);
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            return null;
        }
        fields.add(field.toString());
        return fields;
    }

    /** "City, Region, Country" from the non-empty parts, each cleaned; "" when all are empty or unknown. */
    static String place(String city, String region, String country) {
        String code = clean(country, MAX_NAME);
        if (code.equalsIgnoreCase(UNKNOWN_COUNTRY)) {
            code = "";
        }
        StringBuilder text = new StringBuilder();
        String last = "";
        for (String part : new String[] {clean(city, MAX_NAME), clean(region, MAX_NAME), code}) {
            if (!part.isEmpty() && !part.equals(last)) { // "Berlin, Berlin, DE" says Berlin once
                text.append(text.length() == 0 ? "" : ", ").append(part);
                last = part;
            }
        }
        return cut(text.toString(), MAX_PLACE);
    }

    /**
     * A name as the mail shows it: control and format characters (CR, LF, bidi overrides), surrogates and angle
     * brackets become spaces, runs of spaces one space, cut to {@code max} characters, like the mail's browser text.
     */
    static String clean(String name, int max) {
        if (name == null) {
            return "";
        }
        StringBuilder clean = new StringBuilder(Math.min(name.length(), max + 1));
        boolean space = false;
        for (int i = 0; i < name.length() && clean.length() <= max; i++) {
            char c = name.charAt(i);
            boolean blank = Character.isISOControl(c)
                    || Character.isWhitespace(c)
                    || Character.isSpaceChar(c)
                    || Character.getType(c) == Character.FORMAT
                    || Character.isSurrogate(c)
                    || c == '<'
                    || c == '>'
                    || c == '\uFFFD';
            if (blank) {
                if (!space && clean.length() > 0) {
                    clean.append(' ');
                }
                space = true;
            } else {
                clean.append(c);
                space = false;
            }
        }
        return cut(clean.toString().strip(), max);
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1).strip() + "\u2026";
    }

    /** Dotted-quad IPv4 (four decimal parts, 0 to 255, at most three digits each) as 0..2^32-1; -1 otherwise. */
    static long ipv4(String text) {
        long value = 0;
        int parts = 0;
        int digits = 0;
        int part = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                if (++digits > 3) {
                    return -1;
                }
                part = part * 10 + (c - '0');
            } else if (c == '.') {
                if (digits == 0 || part > 255 || ++parts > 4) {
                    return -1;
                }
                value = (value << 8) | part;
                digits = 0;
                part = 0;
            } else {
                return -1;
            }
        }
        return parts == 4 ? value : -1;
    }

    /**
     * IPv6 text (full, {@code ::}-shortened, or ending in a dotted IPv4) into {@code out[0]} (high 64 bits) and
     * {@code out[1]} (low); false when it is not one. No zone ids, no brackets.
     */
    static boolean ipv6(String text, long[] out) {
        if (text.length() < 2 || text.length() > 45) {
            return false;
        }
        int[] groups = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        if (text.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (text.charAt(0) == ':') {
            return false;
        }
        while (i < text.length()) {
            int j = i;
            int value = 0;
            while (j < text.length() && j - i < 5 && hexDigit(text.charAt(j)) >= 0) {
                value = value * 16 + hexDigit(text.charAt(j));
                j++;
            }
            if (j < text.length() && text.charAt(j) == '.') {
                long v4 = ipv4(text.substring(i));
                if (v4 < 0 || count > 6) {
                    return false;
                }
                groups[count++] = (int) (v4 >>> 16);
                groups[count++] = (int) (v4 & 0xFFFF);
                i = text.length();
                break;
            }
            if (j == i || j - i > 4 || count == 8) {
                return false;
            }
            groups[count++] = value;
            if (j == text.length()) {
                i = j;
                break;
            }
            if (text.charAt(j) != ':') {
                return false;
            }
            if (j + 1 < text.length() && text.charAt(j + 1) == ':') {
                if (gap >= 0) {
                    return false;
                }
                gap = count;
                i = j + 2;
            } else if (j + 1 == text.length()) {
                return false; // a trailing single colon
            } else {
                i = j + 1;
            }
        }
        if (gap < 0 ? count != 8 : count > 7) {
            return false;
        }
        int[] full = new int[8];
        if (gap < 0) {
            full = groups;
        } else {
            int tail = count - gap;
            System.arraycopy(groups, 0, full, 0, gap);
            System.arraycopy(groups, gap, full, 8 - tail, tail);
        }
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 4; k++) {
            hi = (hi << 16) | full[k];
            lo = (lo << 16) | full[k + 4];
        }
        out[0] = hi;
        out[1] = lo;
        return true;
    }

    /** 0-15 for an ASCII hex digit, else -1 (Character.digit would take other scripts' digits too). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
