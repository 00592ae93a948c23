<#-- keycloak-warden: the login footer carries a standing anti-phishing hint. Keycloak's template renders it on every
     login page, so warden's additions that belong to no single template live here too:
     - the registration honeypot (attribute wardenHoneypot): it joins the registration form through the form
       attribute, and people never see it;
     - the password rules (register and update-password pages), from the realm's password policy, readable before
       anything is typed; js/warden.js moves them under the password field and links them with aria-describedby;
     - the countdown of a refused attempt (attribute wardenRetryAfter, the seconds of Retry-After): empty without
       JavaScript, where the message above still says in how many minutes to try again;
     - a label for keycloak.v2's read-only field with the name being signed in;
     - the proof-of-work step-up (attribute wardenPow: nonce and bits): js/warden-pow.js solves it and fills the hidden
       field, which joins the login form through the form attribute; without JavaScript a message says why the
       sign-in cannot go on. -->
<#macro content>
    <#if wardenHoneypot??>
    <div class="warden-hp" aria-hidden="true">
        <label for="${wardenHoneypot}">${msg("wardenHoneypotLabel")}</label>
        <input type="text" id="${wardenHoneypot}" name="${wardenHoneypot}" form="kc-register-form" value="" tabindex="-1" autocomplete="off">
    </div>
    </#if>
    <#if wardenRetryAfter??>
    <div id="warden-retry" class="warden-retry" data-retry-after="${wardenRetryAfter?c}"
         data-text-wait="${msg("wardenRetryCountdown")}" data-text-live="${msg("wardenRetryLive")}"
         data-text-ready="${msg("wardenRetryReady")}">
        <span class="warden-retry-clock" aria-hidden="true"></span>
        <span class="warden-retry-live warden-sr-only" role="status" aria-live="polite" aria-atomic="true"></span>
    </div>
    </#if>
    <#if wardenPow??>
    <div id="warden-pow" class="warden-pow" data-nonce="${wardenPow.nonce}" data-bits="${wardenPow.bits?c}"
         data-form="kc-form-login">
        <input type="hidden" name="warden_pow_nonce" value="${wardenPow.nonce}" form="kc-form-login">
        <input type="hidden" id="warden-pow-solution" name="warden_pow" value="" form="kc-form-login">
        <span class="warden-pow-status warden-sr-only" role="status" aria-live="polite"
              data-text-working="${msg("wardenPowWorking")}"></span>
        <noscript><p class="warden-pow-noscript" role="alert">${msg("wardenPowNoScript")}</p></noscript>
    </div>
    </#if>
    <#assign wardenPasswordField = "">
    <#if pageId?? && pageId == "register" && passwordRequired??>
        <#assign wardenPasswordField = "password">
    <#elseif pageId?? && pageId == "login-update-password">
        <#assign wardenPasswordField = "password-new">
    </#if>
    <#assign wardenRules = []>
    <#if wardenPasswordField?has_content && passwordPolicies??>
        <#if passwordPolicies.length??><#assign wardenRules += [msg("wardenPasswordRuleLength", passwordPolicies.length)]></#if>
        <#if passwordPolicies.maxLength??><#assign wardenRules += [msg("wardenPasswordRuleMaxLength", passwordPolicies.maxLength)]></#if>
        <#if passwordPolicies.lowerCase??><#assign wardenRules += [msg("wardenPasswordRuleLowerCase", passwordPolicies.lowerCase)]></#if>
        <#if passwordPolicies.upperCase??><#assign wardenRules += [msg("wardenPasswordRuleUpperCase", passwordPolicies.upperCase)]></#if>
        <#if passwordPolicies.digits??><#assign wardenRules += [msg("wardenPasswordRuleDigits", passwordPolicies.digits)]></#if>
        <#if passwordPolicies.specialChars??><#assign wardenRules += [msg("wardenPasswordRuleSpecialChars", passwordPolicies.specialChars)]></#if>
        <#if passwordPolicies.notUsername><#assign wardenRules += [msg("wardenPasswordRuleNotUsername")]></#if>
        <#if passwordPolicies.notEmail><#assign wardenRules += [msg("wardenPasswordRuleNotEmail")]></#if>
        <#if wardenPasswordField == "password-new" && passwordPolicies.passwordHistory??><#assign wardenRules += [msg("wardenPasswordRuleHistory", passwordPolicies.passwordHistory)]></#if>
        <#if wardenPasswordScreened??><#assign wardenRules += [msg("wardenPasswordRuleScreened")]></#if>
    </#if>
    <#if wardenRules?has_content>
    <div id="warden-password-rules" class="warden-password-rules" data-for="${wardenPasswordField}">
        <p id="warden-password-rules-title" class="warden-password-rules-title">${msg("wardenPasswordRulesTitle")}</p>
        <ul aria-labelledby="warden-password-rules-title">
            <#list wardenRules as rule>
            <li>${rule}</li>
            </#list>
        </ul>
    </div>
    </#if>
    <#-- keycloak.v2 shows the name being signed in (OTP and later steps) in a read-only field with no label;
         js/warden.js names it with this text (axe-core: "Form elements must have labels") -->
    <span id="warden-attempted-username-label" hidden>${msg("username")}</span>
    <p id="warden-footer" class="warden-footer">${msg("wardenFooterHint")}</p>
</#macro>
