<#ftl output_format="plainText">
${msg("wardenNewDeviceIntro", realmName)}

${msg("wardenNewDeviceTime")}: ${wardenTime}
${msg("wardenNewDeviceBrowser")}: ${wardenBrowser}
${msg("wardenNewDeviceAddress")}: ${wardenAddress}

${msg("wardenNewDeviceNotYou")}
${wardenAccountUrl}
