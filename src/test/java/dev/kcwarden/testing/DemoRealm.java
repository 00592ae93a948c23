package dev.kcwarden.testing;

/** Names and values of the shipped demo realm (realm-export/warden-realm.json) that the tests rely on. */
public final class DemoRealm {

    /** Classpath location of realm-export/warden-realm.json, for {@code @InjectRealm(fromJson = ...)}. */
    public static final String JSON = "/realm-export/warden-realm.json";

    public static final String NAME = "warden";
    public static final String SPA = "demo-spa";
    public static final String CLI = "demo-cli";
    public static final String API = "demo-api";
    public static final String BACKEND = "demo-backend";

    public static final String DEMO_USER = "demo";
    public static final String DEMO_PASSWORD = "Warden-demo-2026";

    /** Access token lifetime the realm promises, in seconds. */
    public static final int ACCESS_TOKEN_SECONDS = 300;

    private DemoRealm() {
    }
}
