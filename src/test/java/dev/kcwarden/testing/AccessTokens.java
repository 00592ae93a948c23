package dev.kcwarden.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.util.Set;

/**
 * Verifies access tokens the way a resource server must, with Nimbus JOSE + JWT (independent of Keycloak's own code):
 * RS256 signature against the realm's JWKS, issuer, audience, authorized party, token type, expiry.
 */
public final class AccessTokens {

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public AccessTokens(TokenEndpoint realm, String audience, String authorizedParty) {
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.create(URI.create(realm.jwksUrl()).toURL())
                    .retrying(false)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(realm.jwksUrl(), e);
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        JWTClaimsSet exact = new JWTClaimsSet.Builder()
                .issuer(realm.realmUrl())
                .claim("azp", authorizedParty)
                .claim("typ", "Bearer")
                .build();
        processor.setJWTClaimsSetVerifier(
                new DefaultJWTClaimsVerifier<>(audience, exact, Set.of("sub", "iat", "exp", "jti")));
    }

    /** The verified claims; throws with the reason when any check fails. */
    public JWTClaimsSet verify(String token) throws ParseException, BadJOSEException, JOSEException {
        return processor.process(token, null);
    }
}
