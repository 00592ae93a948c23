<#-- keycloak-warden: the login footer carries a standing anti-phishing hint. On the registration page it also
     carries the honeypot field that warden's registration guard asks for (attribute wardenHoneypot): it joins
     the registration form through the form attribute, and people never see it. -->
<#macro content>
    <#if wardenHoneypot??>
    <div class="warden-hp" aria-hidden="true">
        <label for="${wardenHoneypot}">${msg("wardenHoneypotLabel")}</label>
        <input type="text" id="${wardenHoneypot}" name="${wardenHoneypot}" form="kc-register-form" value="" tabindex="-1" autocomplete="off">
    </div>
    </#if>
    <p id="warden-footer" class="warden-footer">${msg("wardenFooterHint")}</p>
</#macro>
