package dev.kcwarden.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the warden theme adds to a refused (429) page: the wait for its countdown, as the server sent it. */
public final class ThrottlePage {

    private static final Pattern COUNTDOWN =
            Pattern.compile("<div id=\"warden-retry\"[^>]*\\sdata-retry-after=\"(\\d+)\"");
    private static final Pattern LIVE =
            Pattern.compile("<span class=\"warden-retry-live[^\"]*\" role=\"status\" aria-live=\"polite\" "
                    + "aria-atomic=\"true\"></span>");

    private ThrottlePage() {}

    /**
     * The page carries a countdown of exactly its Retry-After seconds and an empty live region for screen readers; the
     * countdown's own text is empty, so without JavaScript a person reads the message alone.
     */
    public static void assertCountdown(Http.Reply page) {
        assertThat(page.status()).isEqualTo(429);
        Matcher countdown = COUNTDOWN.matcher(page.body());
        assertThat(countdown.find()).as("countdown element in the 429 page").isTrue();
        assertThat(countdown.group(1)).as("countdown seconds = Retry-After").isEqualTo(page.header("Retry-After"));
        assertThat(LIVE.matcher(page.body()).find())
                .as("empty polite live region in the 429 page")
                .isTrue();
        assertThat(page.body()).contains("<span class=\"warden-retry-clock\" aria-hidden=\"true\"></span>");
    }
}
