package dev.kcwarden.signup;

import dev.kcwarden.AdminSave;
import dev.kcwarden.GuardMode;
import dev.kcwarden.LogText;
import dev.kcwarden.RequestKey;
import dev.kcwarden.Warden;
import dev.kcwarden.WardenEvents;
import dev.kcwarden.WardenMessages;
import dev.kcwarden.metrics.WardenMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.provider.ConfiguredProvider;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.provider.ServerInfoAwareProviderFactory;
import org.keycloak.userprofile.UserProfileAttributeValidationContext;
import org.keycloak.userprofile.UserProfileContext;
import org.keycloak.validate.AbstractSimpleValidator;
import org.keycloak.validate.AbstractStringValidator;
import org.keycloak.validate.ValidationContext;
import org.keycloak.validate.ValidationError;
import org.keycloak.validate.ValidationResult;
import org.keycloak.validate.ValidatorConfig;

/**
 * User-profile validator {@value #PROVIDER_ID} for the email attribute: allow list, deny list and disposable domains,
 * compared in normalized (punycode) form with subdomains covered. As a user-profile validator it applies wherever an
 * email is set: registration, account console, first broker login, admin API.
 */
public final class EmailDomainValidator extends AbstractStringValidator
        implements ConfiguredProvider, ServerInfoAwareProviderFactory {

    public static final String PROVIDER_ID = "warden-email-domain";

    public static final String ALLOW = "warden.allow";
    public static final String DENY = "warden.deny";
    public static final String BLOCK_DISPOSABLE = "warden.block-disposable";
    public static final String DISPOSABLE_EXTRA = "warden.disposable-extra";
    public static final String DISPOSABLE_FILE = "warden.disposable-file";
    public static final String EXEMPT_ADMIN = "warden.exempt-admin";
    /** Server option (spi-validator--warden-email-domain--disposable-dir): the only folder disposable-file may name. */
    public static final String DISPOSABLE_DIR = "disposable-dir";
    /** Relative to the Keycloak directory. */
    static final String DEFAULT_DISPOSABLE_DIR = "conf/warden";

    private static final List<ProviderConfigProperty> PROPERTIES = List.of(
            new ProviderConfigProperty(
                    ALLOW,
                    "Allowed domains",
                    "If any are given, only emails at these domains or their subdomains are accepted (e.g. "
                            + "example.com). " + "Empty (default): every domain not otherwise refused.",
                    ProviderConfigProperty.MULTIVALUED_STRING_TYPE,
                    null),
            new ProviderConfigProperty(
                    DENY,
                    "Denied domains",
                    "Emails at these domains or their subdomains are refused. Empty by default.",
                    ProviderConfigProperty.MULTIVALUED_STRING_TYPE,
                    null),
            new ProviderConfigProperty(
                    BLOCK_DISPOSABLE,
                    "Refuse disposable domains",
                    "On (default): refuse the disposable-email domains shipped with warden, plus the extra ones below.",
                    ProviderConfigProperty.BOOLEAN_TYPE,
                    "true"),
            new ProviderConfigProperty(
                    DISPOSABLE_EXTRA,
                    "More disposable domains",
                    "Your own additions to the disposable list. Empty by default.",
                    ProviderConfigProperty.MULTIVALUED_STRING_TYPE,
                    null),
            new ProviderConfigProperty(
                    DISPOSABLE_FILE,
                    "Disposable domain file",
                    "Absolute path of a readable file (at most 20 MB) with more disposable domains, one per "
                            + "line (# comments), "
                            + "inside the folder the server's operator allows (server option "
                            + "spi-validator--warden-email-domain--"
                            + "disposable-dir, default conf/warden in the Keycloak directory), on every "
                            + "Keycloak server. Checked "
                            + "when you save; re-read when it changes; if it later goes away it is ignored with "
                            + "a warning in the "
                            + "server log. Empty by default.",
                    ProviderConfigProperty.STRING_TYPE,
                    ""),
            new ProviderConfigProperty(
                    EXEMPT_ADMIN,
                    "Exempt administrators",
                    "On: emails set by administrators (admin console, admin REST API) are not checked. Off by default.",
                    ProviderConfigProperty.BOOLEAN_TYPE,
                    "false"),
            GuardMode.property(
                    "emails these rules refuse", "Any other value is refused when you save the user profile."));

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public void init(Config.Scope config) {
        Path dir = Path.of(config.get(DISPOSABLE_DIR, DEFAULT_DISPOSABLE_DIR));
        String home = System.getProperty("kc.home.dir");
        DisposableDomains.folder(
                dir.isAbsolute() ? dir : Path.of(home == null ? "." : home).resolve(dir));
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property()
                .name(DISPOSABLE_DIR)
                .label("Folder of disposable-domain files")
                .helpText("The only folder whose files a realm's disposable-file setting may name (symbolic links "
                        + "resolved), "
                        + "so that realm administrators cannot read or probe other files of the server. "
                        + "A relative path is taken "
                        + "from the Keycloak directory. Default: " + DEFAULT_DISPOSABLE_DIR + ".")
                .type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(DEFAULT_DISPOSABLE_DIR)
                .add()
                .build();
    }

    @Override
    protected void doValidate(String email, String inputHint, ValidationContext context, ValidatorConfig config) {
        if (exempt(context, config)) {
            return;
        }
        int at = email.lastIndexOf('@');
        String rawDomain = at < 0 ? "" : email.substring(at + 1);
        Optional<String> normalized = Domains.normalize(rawDomain);
        if (normalized.isEmpty()) {
            reject(context, config, inputHint, WardenMessages.EMAIL_DOMAIN_INVALID, "email_domain_invalid");
            return;
        }
        String domain = normalized.get();
        if (Domains.mapsToAnotherName(rawDomain, domain) || Domains.mixesScripts(domain)) {
            reject(context, config, inputHint, WardenMessages.EMAIL_DOMAIN_CONFUSABLE, "email_domain_confusable");
            return;
        }
        List<String> allow = domains(config, ALLOW);
        if (!allow.isEmpty() && allow.stream().noneMatch(rule -> Domains.covers(rule, domain))) {
            reject(context, config, inputHint, WardenMessages.EMAIL_DOMAIN_NOT_ALLOWED, "email_domain_not_allowed");
            return;
        }
        if (domains(config, DENY).stream().anyMatch(rule -> Domains.covers(rule, domain))) {
            reject(context, config, inputHint, WardenMessages.EMAIL_DOMAIN_DENIED, "email_domain_denied");
            return;
        }
        if (flag(config, BLOCK_DISPOSABLE, true) && disposable(config, domain)) {
            reject(context, config, inputHint, WardenMessages.EMAIL_DOMAIN_DISPOSABLE, "email_domain_disposable");
        }
    }

    private static void reject(
            ValidationContext context, ValidatorConfig config, String inputHint, String message, String rule) {
        if (mode(config) == GuardMode.MONITOR) {
            // Accepted; the registration's event (when this is a sign-up) and the metric say what would have happened.
            KeycloakSession session = context.getSession();
            if (rule.equals(RequestKey.EMAIL_WOULD_REJECT.get(session).orElse(null))) {
                return; // the same email validated again in this request
            }
            RequestKey.EMAIL_WOULD_REJECT.set(session, rule);
            WardenMetrics.signupWouldReject(session.getContext().getRealm(), rule);
            RequestKey.REGISTRATION_EVENT
                    .get(session)
                    .ifPresent(event -> event.detail(WardenEvents.WOULD_REJECT, rule));
            return;
        }
        WardenMetrics.signupRejected(context.getSession().getContext().getRealm(), rule);
        context.addError(new ValidationError(PROVIDER_ID, inputHint, message));
    }

    private static boolean disposable(ValidatorConfig config, String domain) {
        if (DisposableDomains.shipped(domain)
                || domains(config, DISPOSABLE_EXTRA).stream().anyMatch(rule -> Domains.covers(rule, domain))) {
            return true;
        }
        Object file = config == null ? null : config.get(DISPOSABLE_FILE);
        return file instanceof String path && !path.isBlank() && DisposableDomains.inFile(path.strip(), domain);
    }

    private static boolean exempt(ValidationContext context, ValidatorConfig config) {
        if (!flag(config, EXEMPT_ADMIN, false)) {
            return false;
        }
        try {
            return UserProfileAttributeValidationContext.from(context)
                            .getAttributeContext()
                            .getContext()
                    == UserProfileContext.USER_API;
        } catch (RuntimeException notUserProfile) {
            return false;
        }
    }

    /** A list option as the console stores it: a list, or one string with commas or ##. */
    private static List<String> entries(ValidatorConfig config, String key) {
        Object raw = config == null ? null : config.get(key);
        List<String> entries = new ArrayList<>();
        if (raw instanceof Collection<?> values) {
            values.forEach(v -> entries.add(String.valueOf(v)));
        } else if (raw instanceof String value) {
            entries.addAll(List.of(value.split("##|,")));
        }
        return entries;
    }

    /** A list option's domains, normalized; entries that are no domain are left out (validateConfig refuses them). */
    static List<String> domains(ValidatorConfig config, String key) {
        List<String> normalized = new ArrayList<>();
        for (String entry : entries(config, key)) {
            Domains.normalize(entry).ifPresent(normalized::add);
        }
        return normalized;
    }

    /** At use, a value that is not a mode is enforce (validateConfig refuses it when an admin saves it). */
    static GuardMode mode(ValidatorConfig config) {
        return GuardMode.parse(config == null ? null : config.get(GuardMode.PROPERTY))
                .orElse(GuardMode.ENFORCE);
    }

    /**
     * An on/off option: {@code true} or {@code false} (any case, spaces around ignored); anything else, such as "yes",
     * reads as the default, so a mistyped value never turns a check off (validateConfig refuses it on save).
     */
    private static boolean flag(ValidatorConfig config, String key, boolean fallback) {
        Optional<Boolean> value = parsedFlag(config == null ? null : config.get(key));
        return value.orElse(fallback);
    }

    private static Optional<Boolean> parsedFlag(Object raw) {
        String text = raw == null ? "" : String.valueOf(raw).strip();
        if (text.equalsIgnoreCase("true")) {
            return Optional.of(true);
        }
        return text.equalsIgnoreCase("false") ? Optional.of(false) : Optional.empty();
    }

    @Override
    public ValidationResult validateConfig(KeycloakSession session, ValidatorConfig config) {
        List<ValidationError> errors = new ArrayList<>();
        for (String key : List.of(ALLOW, DENY, DISPOSABLE_EXTRA)) {
            for (String entry : entries(config, key)) {
                if (!entry.isBlank() && Domains.normalize(entry).isEmpty()) {
                    errors.add(new ValidationError(
                            PROVIDER_ID, key, WardenMessages.EMAIL_DOMAIN_CONFIG_INVALID, entry.strip()));
                }
            }
        }
        // Checked when an admin saves the user profile only: Keycloak checks the stored profile again whenever it
        // rebuilds it, and a file deleted since (or a key an older release read) must not fail every request of the
        // realm; at use, such a file and such keys are ignored.
        if (config != null && AdminSave.ofUserProfile(session)) {
            Object mode = config.get(GuardMode.PROPERTY);
            if (GuardMode.parse(mode).isEmpty()) {
                errors.add(new ValidationError(PROVIDER_ID, GuardMode.PROPERTY, GuardMode.problem(mode) + "."));
            }
            for (Map.Entry<String, Object> option : config.asMap().entrySet()) {
                String key = option.getKey();
                String shown = LogText.printable(key, 100);
                Object value = option.getValue();
                if (!KNOWN_KEYS.contains(key)) {
                    errors.add(new ValidationError(PROVIDER_ID, shown, unknownKey(key)));
                } else if (FLAGS.contains(key)
                        && value != null
                        && parsedFlag(value).isEmpty()) {
                    errors.add(new ValidationError(
                            PROVIDER_ID,
                            shown,
                            shown + " must be true or false, not '" + LogText.printable(String.valueOf(value), 40)
                                    + "'"));
                } else if (LISTS.contains(key)
                        && value != null
                        && !(value instanceof String)
                        && !(value instanceof Collection<?> values
                                && values.stream().allMatch(String.class::isInstance))) {
                    errors.add(new ValidationError(
                            PROVIDER_ID, shown, shown + " must be a list of domains (strings), or one string"));
                }
            }
        }
        Object file = config == null ? null : config.get(DISPOSABLE_FILE);
        if (file instanceof String path && !path.isBlank() && AdminSave.ofUserProfile(session)) {
            DisposableDomains.fileProblem(path.strip())
                    .ifPresent(problem -> errors.add(new ValidationError(
                            PROVIDER_ID,
                            DISPOSABLE_FILE,
                            DISPOSABLE_FILE + " '" + LogText.printable(path.strip(), 200)
                                    + "' cannot be used: " + problem
                                    + ". Give the absolute path of a readable file on every "
                                    + "Keycloak server, one domain per line, at most 20 MB.")));
        }
        return new ValidationResult(new LinkedHashSet<>(errors));
    }

    /** The option names this validator reads, plus the generic one of Keycloak's simple validators. */
    private static final Set<String> KNOWN_KEYS = Stream.concat(
                    PROPERTIES.stream().map(ProviderConfigProperty::getName),
                    Stream.of(AbstractSimpleValidator.IGNORE_EMPTY_VALUE))
            .collect(Collectors.toUnmodifiableSet());

    /** The on/off options: true or false, nothing else. */
    private static final Set<String> FLAGS = Set.of(BLOCK_DISPOSABLE, EXEMPT_ADMIN);

    /** The list options: a list of strings, or one string with commas or ##. */
    private static final Set<String> LISTS = Set.of(ALLOW, DENY, DISPOSABLE_EXTRA);

    /** Names the option and what to write instead; an old name gets its new one. */
    static String unknownKey(String key) {
        String printable = LogText.printable(key, 80);
        String renamed = "warden." + key.strip();
        String hint = KNOWN_KEYS.contains(renamed)
                ? " It was renamed: write '" + renamed + "' instead."
                : " Known options: " + KNOWN_KEYS.stream().sorted().collect(Collectors.joining(", ")) + ".";
        return "unknown option '" + printable + "' for " + PROVIDER_ID + "; it would be ignored." + hint;
    }

    @Override
    public String getHelpText() {
        return "warden: refuse emails at denied or disposable domains, or outside an allow list; subdomains are "
                + "covered " + "and internationalized domains are compared in punycode form.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return PROPERTIES;
    }

    @Override
    public Map<String, String> getOperationalInfo() {
        Map<String, String> info = new LinkedHashMap<>(Warden.operationalInfo());
        info.put("disposableDomains", Integer.toString(DisposableDomains.shippedSize()));
        return info;
    }
}
