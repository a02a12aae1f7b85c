"""Min helse services: plain functions ``(session, actor, …)`` behind one access policy (:mod:`helsekit.services.policy`)."""
