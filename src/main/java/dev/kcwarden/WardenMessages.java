package dev.kcwarden;

/**
 * Keys of warden's messages in theme-resources/messages (English, German, French). MessagesTest checks that every key
 * used here and in the templates exists in every language, with the same placeholders.
 */
public final class WardenMessages {

    /** {0}: minutes to wait. */
    public static final String LOGIN_THROTTLED = "wardenLoginThrottled";
    /** {0}: minutes to wait. */
    public static final String RESET_THROTTLED = "wardenResetThrottled";
    /** {0}: minutes to wait. */
    public static final String SIGNUP_THROTTLED = "wardenSignupThrottled";
    /** Says nothing about why: the honeypot was filled. */
    public static final String SIGNUP_REJECTED = "wardenSignupRejected";

    public static final String PASSWORD_COMMON = "wardenPasswordCommon";
    public static final String PASSWORD_BREACHED = "wardenPasswordBreached";
    public static final String PASSWORD_CHECK_UNAVAILABLE = "wardenPasswordCheckUnavailable";
    public static final String EMAIL_DOMAIN_INVALID = "wardenEmailDomainInvalid";
    public static final String EMAIL_DOMAIN_CONFUSABLE = "wardenEmailDomainConfusable";
    public static final String EMAIL_DOMAIN_DENIED = "wardenEmailDomainDenied";
    public static final String EMAIL_DOMAIN_NOT_ALLOWED = "wardenEmailDomainNotAllowed";
    public static final String EMAIL_DOMAIN_DISPOSABLE = "wardenEmailDomainDisposable";
    public static final String EMAIL_DOMAIN_CONFIG_INVALID = "wardenEmailDomainConfigInvalid";

    /** A login past the step-up threshold came without a valid proof-of-work: the page has a fresh puzzle. */
    public static final String POW_REFUSED = "wardenPowRefused";

    /** Template attributes the warden theme reads. */
    public static final String RETRY_AFTER_ATTRIBUTE = "wardenRetryAfter";

    public static final String HONEYPOT_ATTRIBUTE = "wardenHoneypot";
    public static final String PASSWORD_SCREENED_ATTRIBUTE = "wardenPasswordScreened";
    /** The step-up puzzle on a login form ({@code nonce}, {@code bits}); absent below the threshold. */
    public static final String POW_ATTRIBUTE = "wardenPow";

    private WardenMessages() {}
}
