package dev.kcwarden.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what a test needs from a Keycloak login page's HTML: a form's action, a link, the error text. */
public final class FormPage {

    private FormPage() {}

    /** The action URL of the form with this id. */
    public static String formAction(String html, String formId) {
        Matcher form = Pattern.compile("<form[^>]*id=\"" + Pattern.quote(formId) + "\"[^>]*>")
                .matcher(html);
        if (!form.find()) {
            throw new AssertionError("no form " + formId + " in page:\n" + html);
        }
        Matcher action = Pattern.compile("action=\"([^\"]+)\"").matcher(form.group());
        if (!action.find()) {
            throw new AssertionError("form " + formId + " has no action");
        }
        return unescape(action.group(1));
    }

    /** The first link whose URL contains {@code part}. */
    public static String link(String html, String part) {
        Matcher link = Pattern.compile("href=\"([^\"]*" + Pattern.quote(part) + "[^\"]*)\"")
                .matcher(html);
        if (!link.find()) {
            throw new AssertionError("no link containing " + part);
        }
        return unescape(link.group(1));
    }

    /** The page's text with tags removed and entities decoded, for asserting what a person reads. */
    public static String text(String html) {
        return unescape(html.replaceAll("(?s)<script.*?</script>", " ")
                .replaceAll("<[^>]+>", " ")
                .replaceAll("\\s+", " "));
    }

    private static String unescape(String s) {
        Matcher numeric = Pattern.compile("&#(\\d+);").matcher(s);
        StringBuilder decoded = new StringBuilder();
        while (numeric.find()) {
            numeric.appendReplacement(
                    decoded, Matcher.quoteReplacement(Character.toString(Integer.parseInt(numeric.group(1)))));
        }
        numeric.appendTail(decoded);
        return decoded.toString()
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
    }
}
