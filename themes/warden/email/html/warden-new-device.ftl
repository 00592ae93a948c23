<#import "template.ftl" as layout>
<@layout.emailLayout>
<p>${msg("wardenNewDeviceIntro", realmName)}</p>
<ul>
<li>${msg("wardenNewDeviceTime")}: ${wardenTime}</li>
<li>${msg("wardenNewDeviceBrowser")}: ${wardenBrowser}</li>
<li>${msg("wardenNewDeviceAddress")}: ${wardenAddress}</li>
<#if wardenPlace?has_content><li>${msg("wardenNewDevicePlace")}: ${wardenPlace}</li></#if>
</ul>
<p>${msg("wardenNewDeviceNotYou")}</p>
<p><a href="${wardenAccountUrl}">${wardenAccountUrl}</a></p>
</@layout.emailLayout>
