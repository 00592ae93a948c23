package dev.kcwarden.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** Reads the warden login theme's message files as the build packaged them, so tests compare with the source. */
public final class ThemeMessages {

    private ThemeMessages() {}

    public static String get(String locale, String key) {
        String resource = "/theme/warden/login/messages/messages_" + locale + ".properties";
        Properties messages = new Properties();
        try (InputStream in = ThemeMessages.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError(resource + " is not packaged");
            }
            messages.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String value = messages.getProperty(key);
        if (value == null) {
            throw new AssertionError(key + " missing from " + resource);
        }
        return value;
    }
}
