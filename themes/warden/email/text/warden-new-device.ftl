<#ftl output_format="plainText">
${msg("wardenNewDeviceIntro", realmName)}

${msg("wardenNewDeviceTime")}: ${wardenTime}
${msg("wardenNewDeviceBrowser")}: ${wardenBrowser}
${msg("wardenNewDeviceAddress")}: ${wardenAddress}
<#if wardenPlace?has_content>${msg("wardenNewDevicePlace")}: ${wardenPlace}
</#if>

${msg("wardenNewDeviceNotYou")}
${wardenAccountUrl}
