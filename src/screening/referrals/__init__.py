"""Referrals: the rules of a referral's life (who may be referred, consent, the status a
referral may move to) and the handover letter. Pure: no terminal, no storage."""
