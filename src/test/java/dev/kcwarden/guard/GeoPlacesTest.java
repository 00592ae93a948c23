package dev.kcwarden.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("GeoIP places: DB-IP CSV parsing, lookup by range, bad rows, names cleaned for the mail")
class GeoPlacesTest {

    @TempDir
    Path dir;

    private GeoPlaces load(String content) throws IOException {
        Path file = dir.resolve("dbip.csv");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return GeoPlaces.load(file);
    }

    @Test
    @DisplayName("IPv4 city rows: first and last address of a range match, the neighbours outside it do not")
    void ipv4RangeEdges() throws IOException {
        GeoPlaces places = load("1.0.0.0,1.0.0.255,OC,AU,Queensland,\"South Brisbane\",-27.4767,153.017\n"
                + "1.0.1.0,1.0.3.255,AS,CN,Fujian,Fuzhou\n"
                + "9.0.0.0,9.0.0.9,NA,US,California,\"Mountain View, Santa Clara\"\n"
                + "255.255.255.0,255.255.255.255,ZZ,DE,,\n");
        assertThat(places.place("1.0.0.0")).isEqualTo("South Brisbane, Queensland, AU");
        assertThat(places.place("1.0.0.255")).isEqualTo("South Brisbane, Queensland, AU");
        assertThat(places.place("1.0.1.0")).isEqualTo("Fuzhou, Fujian, CN");
        assertThat(places.place("1.0.3.255")).isEqualTo("Fuzhou, Fujian, CN");
        assertThat(places.place("1.0.4.0"))
                .as("just past the last range of a block")
                .isEmpty();
        assertThat(places.place("0.255.255.255")).as("before the first range").isEmpty();
        assertThat(places.place("8.255.255.255")).as("in a gap").isEmpty();
        assertThat(places.place("9.0.0.5")).isEqualTo("Mountain View, Santa Clara, California, US");
        assertThat(places.place("9.0.0.10")).isEmpty();
        assertThat(places.place("255.255.255.255"))
                .as("the top address, unsigned")
                .isEqualTo("DE");
        assertThat(places.place("128.0.0.1")).as("above 2^31, unsigned compare").isEmpty();
        assertThat(places.rows()).isEqualTo(4);
    }

    @Test
    @DisplayName("IPv6 rows in full and shortened spelling; an IPv4-mapped client address is looked up as IPv4")
    void ipv6AndMapped() throws IOException {
        GeoPlaces places = load("10.1.2.0,10.1.2.255,EU,DE,Berlin,Berlin\n"
                + "2001:db8::,2001:db8:0:ffff:ffff:ffff:ffff:ffff,EU,FR,\u00cele-de-France,Paris\n"
                + "2001:db8:1::,2001:0db8:0001:0000:0000:0000:0000:00ff,EU,IT,Lazio,Rome\n"
                + "ffff:ffff::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,EU,NL,,\n");
        assertThat(places.place("2001:db8::")).isEqualTo("Paris, \u00cele-de-France, FR");
        assertThat(places.place("2001:DB8:0:FFFF:FFFF:FFFF:FFFF:FFFF")).isEqualTo("Paris, \u00cele-de-France, FR");
        assertThat(places.place("2001:db8:1::ff")).isEqualTo("Rome, Lazio, IT");
        assertThat(places.place("2001:db8:1::100")).isEmpty();
        assertThat(places.place("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")).isEmpty();
        assertThat(places.place("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
                .as("unsigned")
                .isEqualTo("NL");
        assertThat(places.place("::ffff:10.1.2.3")).as("IPv4-mapped").isEqualTo("Berlin, DE");
        assertThat(places.place("::ffff:a01:203")).as("IPv4-mapped in hex").isEqualTo("Berlin, DE");
        assertThat(places.place("10.1.2.3")).as("a repeated name once").isEqualTo("Berlin, DE");
    }

    @Test
    @DisplayName("country files (3 or 4 fields) work; ZZ and empty rows give no place; equal places are kept once")
    void countryFilesAndDedup() throws IOException {
        GeoPlaces places = load("1.0.0.0,1.0.0.255,AU\r\n"
                + "1.0.1.0,1.0.1.255,AS,CN\r\n"
                + "1.0.2.0,1.0.2.255,AU\r\n"
                + "10.0.0.0,10.255.255.255,ZZ\r\n"
                + "127.0.0.0,127.255.255.255,,,,\r\n"
                + "\r\n"
                + "::,::ffff,zz\r\n");
        assertThat(places.place("1.0.0.7")).isEqualTo("AU");
        assertThat(places.place("1.0.1.7")).isEqualTo("CN");
        assertThat(places.place("1.0.2.7")).isEqualTo("AU");
        assertThat(places.place("10.1.2.3")).as("DB-IP's unknown country").isEmpty();
        assertThat(places.place("127.0.0.1")).as("loopback with no name").isEmpty();
        assertThat(places.place("::1")).isEmpty();
        assertThat(places.distinctPlaces()).isEqualTo(2);
        assertThat(places.rows()).isEqualTo(3);
    }

    @Test
    @DisplayName("bad rows are skipped and the good ones kept: junk addresses, reversed, overlapping, unsorted, quotes")
    void badRowsSkipped() throws IOException {
        GeoPlaces places = load("1.0.0.0,1.0.0.255,AU\n"
                + "1.0.0.128,1.0.1.10,NZ\n" // overlaps the previous range
                + "0.0.0.0,0.0.0.255,US\n" // comes before the previous range
                + "2.0.0.9,2.0.0.0,FR\n" // ends before it starts
                + "2.0.0.0.1,2.0.0.9,FR\n"
                + "256.0.0.0,256.0.0.9,FR\n"
                + "2.0.0,2.0.0.9,FR\n"
                + " 3.0.0.0x,3.0.0.9,FR\n"
                + "3.0.0.0,::1,FR\n" // two families
                + "4.0.0.0,4.0.0.9,EU,\"DE\n" // unbalanced quote
                + "5.0.0.0,5.0.0.9,EU,DE,Bayern\n" // five fields
                + "1::2::3,2001::,FR\n"
                + "12345::,12345::1,FR\n"
                + "fe80::1%eth0,fe80::2,FR\n"
                + "2001:db8::,2001:db8::ff,FR\n"
                + "2001:db8::80,2001:db8::1ff,NZ\n" // overlaps the previous IPv6 range
                + "2001:db7::,2001:db7::1,US\n" // comes before it
                + "6.0.0.0,6.0.0.9,JP\n");
        assertThat(places.place("1.0.0.200")).isEqualTo("AU");
        assertThat(places.place("1.0.1.5"))
                .as("the overlapping row was skipped")
                .isEmpty();
        assertThat(places.place("0.0.0.7")).as("the unsorted row was skipped").isEmpty();
        assertThat(places.place("2.0.0.5")).isEmpty();
        assertThat(places.place("6.0.0.9")).as("a good row after the bad ones").isEqualTo("JP");
        assertThat(places.place("2001:db8::ff")).isEqualTo("FR");
        assertThat(places.place("2001:db8::100"))
                .as("the overlapping IPv6 row was skipped")
                .isEmpty();
        assertThat(places.place("2001:db7::1"))
                .as("the unsorted IPv6 row was skipped")
                .isEmpty();
        assertThat(places.rows()).isEqualTo(3);
    }

    @Test
    @DisplayName("the loader reports skipped rows, the first bad line's number and reason, and stops at its row cap")
    void loaderNamesFirstBadLine() throws IOException {
        GeoPlaces.Loader loader = new GeoPlaces.Loader(GeoPlaces.MAX_ROWS);
        loader.read(new StringReader("1.0.0.0,1.0.0.255,AU\n\n1.0.0.9,1.0.0.10,AU\nx,y,z\n"));
        assertThat(loader.skipped).isEqualTo(2);
        assertThat(loader.firstBadLine).isEqualTo(3);
        assertThat(loader.firstBadReason).contains("overlaps");
        assertThat(loader.truncatedAt).isZero();

        GeoPlaces.Loader capped = new GeoPlaces.Loader(2);
        capped.read(new StringReader("1.0.0.0,1.0.0.9,AU\n2.0.0.0,2.0.0.9,NZ\n3.0.0.0,3.0.0.9,FR\n"));
        assertThat(capped.truncatedAt).as("reading stops at the cap").isEqualTo(3);
        GeoPlaces kept = capped.build();
        assertThat(kept.rows()).isEqualTo(2);
        assertThat(kept.place("3.0.0.1")).isEmpty();
    }

    @Test
    @DisplayName("a file of ever new place names stops adding places at the cap; a file that never ends stops at the"
            + " line cap, blank and bad lines counted")
    void placeAndLineCaps() throws IOException {
        GeoPlaces.Loader places = new GeoPlaces.Loader(GeoPlaces.MAX_ROWS, 2, GeoPlaces.MAX_LINES);
        places.read(
                new StringReader("1.0.0.0,1.0.0.9,AU\n2.0.0.0,2.0.0.9,NZ\n3.0.0.0,3.0.0.9,FR\n4.0.0.0,4.0.0.9,AU\n"));
        GeoPlaces kept = places.build();
        assertThat(places.placesFull).isEqualTo(1);
        assertThat(kept.distinctPlaces()).isEqualTo(2);
        assertThat(kept.place("3.0.0.1")).as("a third place past the cap").isEmpty();
        assertThat(kept.place("4.0.0.1")).as("a known place still loads").isNotEmpty();

        GeoPlaces.Loader lines = new GeoPlaces.Loader(GeoPlaces.MAX_ROWS, GeoPlaces.MAX_PLACES, 5);
        lines.read(new StringReader("\n\nx,y,z\n\n1.0.0.0,1.0.0.9,AU\n2.0.0.0,2.0.0.9,NZ\n"));
        assertThat(lines.truncatedAt).as("stopped after five lines").isPositive();
        assertThat(lines.build().place("2.0.0.1")).isEmpty();
    }

    @Test
    @DisplayName("a line of megabytes without a newline is skipped without being kept, the next row still loads")
    void hugeLineSkipped() throws IOException {
        Path file = dir.resolve("huge.csv");
        try (Writer out = Files.newBufferedWriter(file)) {
            out.write("1.0.0.0,1.0.0.255,AU,");
            for (int i = 0; i < 4_000; i++) {
                out.write("x".repeat(1_000));
            }
            out.write("\n7.0.0.0,7.0.0.255,EU,DE,Hessen,Frankfurt\n");
        }
        GeoPlaces places = GeoPlaces.load(file);
        assertThat(places.place("1.0.0.1")).isEmpty();
        assertThat(places.place("7.0.0.1")).isEqualTo("Frankfurt, Hessen, DE");
    }

    @Test
    @DisplayName("a gzip file is read whatever its name; a missing, empty, binary or directory path loads nothing")
    void gzipAndUnreadable() throws IOException {
        Path gz = dir.resolve("dbip-city-lite.csv"); // no .gz: the magic bytes decide
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("2001:db8::,2001:db8::ff,EU,AT,Wien,Wien\n5.0.0.0,5.0.0.255,EU,AT,Tirol,Innsbruck\n"
                    .getBytes(StandardCharsets.UTF_8));
        }
        GeoPlaces places = GeoPlaces.load(gz);
        assertThat(places.place("2001:db8::1")).isEqualTo("Wien, AT");
        assertThat(places.place("5.0.0.1")).isEqualTo("Innsbruck, Tirol, AT");

        Path truncated = dir.resolve("truncated.csv.gz");
        byte[] bytes = Files.readAllBytes(gz);
        Files.write(truncated, Arrays.copyOf(bytes, 12));
        assertThat(GeoPlaces.load(truncated)).isSameAs(GeoPlaces.NONE);
        assertThat(GeoPlaces.load(dir.resolve("missing.csv"))).isSameAs(GeoPlaces.NONE);
        assertThat(GeoPlaces.load(dir)).isSameAs(GeoPlaces.NONE);
        assertThat(load("")).isSameAs(GeoPlaces.NONE);
        assertThat(load("\u0000\u0001\u0002\uFFFF")).isSameAs(GeoPlaces.NONE);
    }

    @Test
    @DisplayName("names lose control, format and bidi characters and markup, and are cut; the whole place too")
    void namesCleaned() throws IOException {
        GeoPlaces places =
                load("1.0.0.0,1.0.0.255,EU,DE,\"Bay\u0007\tern\",\"<script>alert(1)</script>\u202eM\u00fcnchen\"\n"
                        + "3.0.0.0,3.0.0.255,EU,DE,\"Line\nbreak\",City\n" // quoted line breaks: not DB-IP's, skipped
                        + "4.0.0.0,4.0.0.255,EU,\"D\u0000E\",\"" + "R".repeat(300) + "\",\"" + "C".repeat(300)
                        + "\"\n");
        String place = places.place("1.0.0.1");
        assertThat(place)
                .isEqualTo("script alert(1) /script M\u00fcnchen, Bay ern, DE")
                .doesNotContain("<")
                .doesNotContain("\r")
                .doesNotContain("\u202e");
        assertThat(places.place("3.0.0.1")).isEmpty();
        String cut = places.place("4.0.0.1");
        assertThat(cut).hasSizeLessThanOrEqualTo(GeoPlaces.MAX_PLACE).startsWith("C".repeat(59) + "\u2026, R");
        assertThat(GeoPlaces.clean("\u00a0 \u2028Ort\u200b\u00a0", 60)).isEqualTo("Ort");
    }

    @Test
    @DisplayName("client addresses that are not plain IPv4 or IPv6 text find nothing and never throw")
    void oddAddresses() throws IOException {
        GeoPlaces places = load("0.0.0.0,255.255.255.255,EU,DE,,Anywhere\n::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,"
                + "EU,DE,,Anywhere6\n");
        assertThat(places.place("1.2.3.4")).isEqualTo("Anywhere, DE");
        assertThat(places.place("::")).isEqualTo("Anywhere6, DE");
        for (String odd : new String[] {
            null,
            "",
            "1.2.3",
            "1.2.3.4.",
            ".1.2.3.4",
            "1..2.3",
            "1.2.3.4 ",
            " 1.2.3.4",
            "1.2.3.-4",
            "0x1.2.3.4",
            "1234.2.3.4",
            "0001.2.3.4",
            "localhost",
            "[::1]",
            "fe80::1%lo",
            "::1::",
            ":1::",
            "1:",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            "g::1",
            "1.2.3.4".repeat(20),
            "\u0661.2.3.4",
            "::ffff:1.2.3"
        }) {
            assertThat(places.place(odd)).as("'%s'", odd).isEmpty();
        }
        assertThat(GeoPlaces.ipv4("001.002.003.004"))
                .as("leading zeros read as decimal")
                .isEqualTo(0x01020304L);
        long[] v6 = new long[2];
        assertThat(GeoPlaces.ipv6("1:2:3:4:5:6:7:8", v6)).isTrue();
        assertThat(v6).containsExactly(0x0001000200030004L, 0x0005000600070008L);
        assertThat(GeoPlaces.ipv6("1::8", v6)).isTrue();
        assertThat(v6).containsExactly(0x0001000000000000L, 0x0000000000000008L);
        assertThat(GeoPlaces.ipv6("::1.2.3.4", v6)).isTrue();
        assertThat(v6).containsExactly(0L, 0x01020304L);
        assertThat(GeoPlaces.ipv6("1:2:3:4:5:6:7::", v6)).isTrue();
        assertThat(v6).containsExactly(0x0001000200030004L, 0x0005000600070000L);
    }
}
