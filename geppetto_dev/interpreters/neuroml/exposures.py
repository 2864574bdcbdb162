"""What NeuroML component types expose: the variables a simulator can record, by type.

The Java server read these from the LEMS definitions (NeuroML2CoreTypes, `<Exposure>`) and made
each a StateVariable of the component's type, in the SI unit of its dimension. This is that
table, flattened through `extends`, so the core types need not be read (or fetched) at run time.
"""

from __future__ import annotations

from functools import cache

from geppetto_dev.interpreters.neuroml.units import si_unit

__all__ = ["EXPOSURES", "exposures"]

# component type -> "name:dimension ..." (NeuroML2CoreTypes of jNeuroML 0.14).
EXPOSURES: dict[str, str] = {
    "EIF_cond_alpha_isfa_ista": "v:voltage iSyn:current w:none",
    "EIF_cond_exp_isfa_ista": "v:voltage iSyn:current w:none",
    "HHExpLinearRate": "r:per_time",
    "HHExpLinearVariable": "x:none",
    "HHExpRate": "r:per_time",
    "HHExpVariable": "x:none",
    "HHSigmoidRate": "r:per_time",
    "HHSigmoidVariable": "x:none",
    "HH_cond_exp": "v:voltage iSyn:current m:none h:none n:none",
    "IF_cond_alpha": "v:voltage iSyn:current",
    "IF_cond_exp": "v:voltage iSyn:current",
    "IF_curr_alpha": "v:voltage iSyn:current",
    "IF_curr_exp": "v:voltage iSyn:current",
    "KSState": "occupancy:none q:none",
    "KSTransition": "rf:per_time rr:per_time",
    "SpikeSourcePoisson": "tsince:time isi:time tnextIdeal:time tnextUsed:time",
    "adExIaFCell": "v:voltage iSyn:current iMemb:current w:current",
    "alphaCondSynapse": "i:current g:none A:none",
    "alphaCurrSynapse": "i:current A:current",
    "alphaCurrentSynapse": "i:current",
    "alphaSynapse": "i:current g:conductance",
    "biophysicalProperties": "totSpecCap:specificCapacitance",
    "biophysicalProperties2CaPools": "totSpecCap:specificCapacitance",
    "blockingPlasticSynapse": "i:current g:conductance",
    "cell": (
        "v:voltage spiking:none iChannels:current iSyn:current "
        "totSpecCap:specificCapacitance surfaceArea:area iCa:current caConc:concentration "
        "caConcExt:concentration"
    ),
    "cell2CaPools": (
        "v:voltage spiking:none iChannels:current iSyn:current "
        "totSpecCap:specificCapacitance surfaceArea:area iCa:current caConc:concentration "
        "caConcExt:concentration iCa2:current caConc2:concentration "
        "caConcExt2:concentration"
    ),
    "channelDensity": "iDensity:currentDensity gDensity:conductanceDensity",
    "channelDensityGHK": "iDensity:currentDensity",
    "channelDensityGHK2": "iDensity:currentDensity gDensity:conductanceDensity",
    "channelDensityNernst": "iDensity:currentDensity gDensity:conductanceDensity erev:voltage",
    "channelDensityNernstCa2": "iDensity:currentDensity gDensity:conductanceDensity erev:voltage",
    "channelDensityNonUniform": "iDensity:currentDensity",
    "channelDensityNonUniformGHK": "iDensity:currentDensity",
    "channelDensityNonUniformNernst": "iDensity:currentDensity",
    "channelDensityVShift": "iDensity:currentDensity gDensity:conductanceDensity",
    "channelPopulation": "i:current",
    "channelPopulationNernst": "i:current erev:voltage",
    "closedState": "occupancy:none q:none",
    "compoundInput": "i:current",
    "compoundInputDL": "I:none",
    "concentrationModel": "concentration:concentration extConcentration:concentration",
    "decayingPoolConcentrationModel": "concentration:concentration extConcentration:concentration",
    "doubleSynapse": "i:current",
    "expCondSynapse": "i:current g:none",
    "expCurrSynapse": "i:current",
    "expOneSynapse": "i:current g:conductance",
    "expThreeSynapse": "i:current g:conductance",
    "expTwoSynapse": "i:current g:conductance",
    "fitzHughNagumo1969Cell": "V:none W:none F:none",
    "fitzHughNagumoCell": "V:none W:none",
    "fixedFactorConcentrationModel": "concentration:concentration extConcentration:concentration",
    "fixedFactorConcentrationModelTraub": (
        "concentration:concentration extConcentration:concentration"
    ),
    "fixedTimeCourse": "t:time",
    "forwardTransition": "rf:per_time rr:per_time",
    "gapJunction": "i:current",
    "gate": "fcond:none q:none",
    "gateFractional": "fcond:none q:none rateScale:none",
    "gateHHInstantaneous": "fcond:none q:none tau:time inf:none",
    "gateHHrates": (
        "fcond:none q:none alpha:per_time beta:per_time tau:time inf:none rateScale:none"
    ),
    "gateHHratesInf": (
        "fcond:none q:none alpha:per_time beta:per_time tau:time inf:none rateScale:none"
    ),
    "gateHHratesTau": (
        "fcond:none q:none alpha:per_time beta:per_time tau:time inf:none rateScale:none"
    ),
    "gateHHratesTauInf": (
        "fcond:none q:none alpha:per_time beta:per_time tau:time inf:none rateScale:none"
    ),
    "gateHHtauInf": "fcond:none q:none tau:time inf:none rateScale:none",
    "gateKS": "fcond:none q:none rateScale:none",
    "gradedSynapse": "i:current inf:none tau:time",
    "hindmarshRose1984Cell": (
        "v:voltage iSyn:current iMemb:current x:none y:none z:none phi:none chi:none "
        "rho:none spiking:none"
    ),
    "iafCell": "v:voltage iSyn:current iMemb:current",
    "iafRefCell": "v:voltage iSyn:current iMemb:current",
    "iafTauCell": "v:voltage",
    "iafTauRefCell": "v:voltage",
    "intracellularProperties": "caConc:concentration caConcExt:concentration",
    "intracellularProperties2CaPools": (
        "caConc:concentration caConcExt:concentration caConc2:concentration "
        "caConcExt2:concentration"
    ),
    "ionChannel": "g:conductance fopen:none",
    "ionChannelHH": "g:conductance fopen:none",
    "ionChannelKS": "g:conductance fopen:none",
    "ionChannelPassive": "g:conductance fopen:none",
    "ionChannelVShift": "g:conductance fopen:none",
    "izhikevich2007Cell": "v:voltage iSyn:current iMemb:current u:current",
    "izhikevichCell": "v:voltage U:none",
    "linearGradedSynapse": "i:current",
    "membraneProperties": "totChanCurrent:current iCa:current totSpecCap:specificCapacitance",
    "membraneProperties2CaPools": (
        "totChanCurrent:current iCa:current totSpecCap:specificCapacitance iCa2:current"
    ),
    "openState": "occupancy:none q:none",
    "pinskyRinzelCA3Cell": (
        "v:voltage Vs:voltage Vd:voltage ICad:currentDensity Cad:none hs:none ns:none "
        "sd:none cd:none qd:none Si:none Wi:none"
    ),
    "pointCellCondBased": "v:voltage iSyn:current iMemb:current",
    "pointCellCondBasedCa": "v:voltage iSyn:current iMemb:current iCa:current caConc:concentration",
    "poissonFiringSynapse": "i:current tsince:time isi:time tnextIdeal:time tnextUsed:time",
    "pulseGenerator": "i:current",
    "pulseGeneratorDL": "I:none",
    "q10ConductanceScaling": "factor:none",
    "q10ExpTemp": "q10:none",
    "q10Fixed": "q10:none",
    "rampGenerator": "i:current",
    "rampGeneratorDL": "I:none",
    "reverseTransition": "rf:per_time rr:per_time",
    "segment": "surfaceArea:area radDist:length length:length",
    "silentSynapse": "i:current",
    "sineGenerator": "i:current",
    "sineGeneratorDL": "I:none",
    "species": "concentration:concentration extConcentration:concentration",
    "specificCapacitance": "specCap:specificCapacitance",
    "spike": "tsince:time spiked:none",
    "spikeArray": "tsince:time",
    "spikeGenerator": "tsince:time tnext:time",
    "spikeGeneratorPoisson": "tsince:time isi:time tnextIdeal:time tnextUsed:time",
    "spikeGeneratorRandom": "tsince:time isi:time tnext:time",
    "spikeGeneratorRefPoisson": "tsince:time isi:time tnextIdeal:time tnextUsed:time",
    "stdpSynapse": "i:current g:conductance tsince:time M:none P:none",
    "subGate": "tau:time inf:none qfrac:none q:none",
    "tauInfTransition": "rf:per_time rr:per_time",
    "timedSynapticInput": "i:current tsince:time",
    "transientPoissonFiringSynapse": (
        "i:current tsince:time isi:time tnextIdeal:time tnextUsed:time"
    ),
    "tsodyksMarkramDepFacMechanism": "plasticityFactor:none",
    "tsodyksMarkramDepMechanism": "plasticityFactor:none",
    "vHalfTransition": "rf:per_time rr:per_time",
    "voltageClamp": "i:current",
    "voltageClampTriple": "i:current",
    "voltageConcDepBlockMechanism": "blockFactor:none",
}


@cache
def exposures(component_type: str) -> tuple[tuple[str, str], ...]:
    """(name, SI unit) of each exposure of a type, in declaration order; () if unknown."""
    spec = EXPOSURES.get(component_type, "")
    out = []
    for item in spec.split():
        name, _, dimension = item.partition(":")
        out.append((name, si_unit(dimension)))
    return tuple(out)
