<#-- keycloak-warden: the login footer carries a standing anti-phishing hint. -->
<#macro content>
    <p id="warden-footer" class="warden-footer">${msg("wardenFooterHint")}</p>
</#macro>
