"""System checks of the claims app (registered in ClaimsConfig.ready)."""
