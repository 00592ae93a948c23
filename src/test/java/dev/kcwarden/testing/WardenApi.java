package dev.kcwarden.testing;

/** Where warden's admin REST resource lives: in Keycloak's admin API, {@code /admin/realms/{realm}/warden/...}. */
public final class WardenApi {

    private WardenApi() {}

    /**
     * {@code path} (such as {@code "info"} or {@code "throttles?ip=…"}) under the realm whose base URL is
     * {@code realmUrl}.
     */
    public static String url(String realmUrl, String path) {
        int at = realmUrl.lastIndexOf("/realms/");
        if (at < 0) {
            throw new IllegalArgumentException("not a realm URL: " + realmUrl);
        }
        return realmUrl.substring(0, at) + "/admin" + realmUrl.substring(at) + "/warden/" + path;
    }
}
