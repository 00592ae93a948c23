package dev.kcwarden.signup;

import java.net.IDN;
import java.text.Normalizer;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Domain names as the rules compare them: IDNA ASCII form (punycode, after Unicode compatibility normalization, so
 * full-width or other look-alike forms of an ASCII name become that name), lower case, no trailing dot. A rule for
 * {@code example.com} covers every subdomain.
 */
public final class Domains {

    private static final Set<Character.UnicodeScript> CONFUSABLE_SCRIPTS =
            EnumSet.of(Character.UnicodeScript.LATIN, Character.UnicodeScript.CYRILLIC, Character.UnicodeScript.GREEK);

    private Domains() {}

    /** The comparable form of a domain, or empty when it is not a valid domain name at all. */
    public static Optional<String> normalize(String domain) {
        if (domain == null) {
            return Optional.empty();
        }
        String d = domain.strip();
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        if (d.isEmpty() || d.length() > 253 || d.chars().anyMatch(Character::isISOControl)) {
            return Optional.empty();
        }
        try {
            String ascii = IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
            return ascii.isEmpty() || !ascii.contains(".") ? Optional.empty() : Optional.of(ascii);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** True when {@code domain} is {@code rule} or a subdomain of it (both normalized). */
    public static boolean covers(String rule, String domain) {
        return domain.equals(rule) || domain.endsWith("." + rule);
    }

    /**
     * True when the typed domain is not simply the Unicode form of its normalized name: the normalization mapped
     * something (full-width letters, ß to ss, ligatures). Another registry may treat such a name as a different domain
     * than the one it maps to, so it is refused rather than matched.
     */
    public static boolean mapsToAnotherName(String typed, String normalized) {
        String unicode;
        try {
            unicode = IDN.toUnicode(normalized, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return true;
        }
        String given = Normalizer.normalize(typed.strip(), Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
        if (given.endsWith(".")) {
            given = given.substring(0, given.length() - 1);
        }
        return !given.equals(unicode.toLowerCase(Locale.ROOT)) && !given.equals(normalized);
    }

    /**
     * True when a label of the (Unicode) domain mixes Latin, Cyrillic or Greek letters, the classic way to spell a
     * look-alike of a well-known name ("gmаil.com" with a Cyrillic а).
     */
    public static boolean mixesScripts(String domain) {
        String unicode;
        try {
            unicode = IDN.toUnicode(domain.strip(), IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (String label : unicode.split("\\.")) {
            EnumSet<Character.UnicodeScript> scripts = EnumSet.noneOf(Character.UnicodeScript.class);
            label.codePoints().filter(Character::isLetter).forEach(cp -> {
                Character.UnicodeScript script = Character.UnicodeScript.of(cp);
                if (CONFUSABLE_SCRIPTS.contains(script)) {
                    scripts.add(script);
                }
            });
            if (scripts.size() > 1) {
                return true;
            }
        }
        return false;
    }
}
