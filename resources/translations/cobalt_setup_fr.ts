<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>DnsPage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="53"/>
        <source>Resolver</source>
        <translation>Résolveur</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="53"/>
        <source>Provider</source>
        <translation>Fournisseur</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="54"/>
        <source>First look-up</source>
        <translation>Première requête</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="54"/>
        <source>Median</source>
        <translation>Médiane</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="55"/>
        <source>p90</source>
        <translation>p90</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="55"/>
        <source>Answered</source>
        <translation>Répondu</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="56"/>
        <source>Verdict</source>
        <translation>Verdict</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="58"/>
        <source>recommended</source>
        <translation>recommandé</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="58"/>
        <source>fine</source>
        <translation>correct</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="59"/>
        <source>slow</source>
        <translation>lent</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="59"/>
        <source>unreliable</source>
        <translation>peu fiable</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="60"/>
        <source>dead</source>
        <translation>ne répond pas</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="60"/>
        <source>hijacks NXDOMAIN</source>
        <translation>détourne NXDOMAIN</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="61"/>
        <source>cannot find the dispatcher</source>
        <translation>ne trouve pas le dispatcher</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="70"/>
        <source>Name resolution (DNS)</source>
        <translation>Résolution de noms (DNS)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="72"/>
        <source>Open Cobalt&apos;s chat and Space Directory clients look up names through these DNS servers, not always through your computer&apos;s own.</source>
        <translation>Les clients de chat et de Space Directory d&apos;Open Cobalt résolvent les noms au moyen de ces serveurs DNS, et pas toujours au moyen de ceux de votre ordinateur.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="76"/>
        <source>DNS &amp;servers:</source>
        <translation>Ser&amp;veurs DNS&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="76"/>
        <source>Dispatcher &amp;domain:</source>
        <translation>&amp;Domaine du dispatcher&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="77"/>
        <source>Dispatcher service &amp;type:</source>
        <translation>&amp;Type de service du dispatcher&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="80"/>
        <source>Resolvers</source>
        <translation>Résolveurs</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="96"/>
        <source>DNS check progress</source>
        <translation>Progression de la vérification DNS</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="100"/>
        <source>Resolvers measured</source>
        <translation>Résolveurs mesurés</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="107"/>
        <source>The first look-up of each name: the resolver may have to ask other servers.</source>
        <translation>Première requête pour chaque nom&#xa0;: le résolveur peut devoir interroger d&apos;autres serveurs.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="109"/>
        <source>Repeated look-ups, usually answered from the resolver&apos;s cache.</source>
        <translation>Requêtes répétées, généralement servies par le cache du résolveur.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="124"/>
        <source>Use the &amp;recommendation</source>
        <translation>Utiliser la &amp;recommandation</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="125"/>
        <source>Use the se&amp;lected resolvers</source>
        <translation>Utiliser les résolveurs sé&amp;lectionnés</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="133"/>
        <source>Dispatcher discovery</source>
        <translation>Découverte du dispatcher</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="157"/>
        <source>asking each resolver the names Open Cobalt needs...</source>
        <translation>interrogation de chaque résolveur sur les noms nécessaires à Open Cobalt...</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="193"/>
        <source>checking</source>
        <translation>vérification</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="224"/>
        <source>Checked %n resolvers in {seconds:.1f} s.</source>
        <translation>
            <numerusform>%n résolveur vérifié en {seconds:.1f} s.</numerusform>
            <numerusform>%n résolveurs vérifiés en {seconds:.1f} s.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="227"/>
        <source>Some did not finish in time; their figures are partial.</source>
        <translation>Certains n&apos;ont pas terminé à temps&#xa0;; leurs valeurs sont partielles.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="239"/>
        <source>This is what you have chosen.</source>
        <translation>C&apos;est votre choix actuel.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="246"/>
        <source>Enter your organisation&apos;s dispatcher domain above to look for a dispatcher.</source>
        <translation>Saisissez ci-dessus le domaine du dispatcher de votre organisation pour rechercher un dispatcher.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="252"/>
        <source>nowhere</source>
        <translation>nulle part</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="254"/>
        <source> (priority {priority}, weight {weight})</source>
        <translation> (priorité {priority}, poids {weight})</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="256"/>
        <source>Problem:</source>
        <translation>Problème&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="263"/>
        <source>Space Directory (LDAP)</source>
        <translation>Space Directory (LDAP)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="264"/>
        <source>Chat (XMPP)</source>
        <translation>Chat (XMPP)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="268"/>
        <source>(its name does not resolve)</source>
        <translation>(son nom ne peut pas être résolu)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="272"/>
        <source>Found %n dispatchers in {domain}.</source>
        <translation>
            <numerusform>%n dispatcher trouvé dans {domain}.</numerusform>
            <numerusform>%n dispatchers trouvés dans {domain}.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="276"/>
        <source>No usable dispatcher was found in {domain}.</source>
        <translation>Aucun dispatcher utilisable n&apos;a été trouvé dans {domain}.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="282"/>
        <source>The DNS check stopped unexpectedly ({message}). Your settings are not affected; go Back and Next to try again.</source>
        <translation>La vérification DNS s&apos;est arrêtée de manière inattendue ({message}). Vos réglages ne sont pas modifiés&#xa0;; cliquez sur Précédent puis sur Suivant pour réessayer.</translation>
    </message>
</context>
<context>
    <name>DonePage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="14"/>
        <source>Settings written</source>
        <translation>Réglages enregistrés</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="15"/>
        <source>Open Cobalt reads them when it starts.</source>
        <translation>Open Cobalt les lit à son démarrage.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="25"/>
        <source>Your settings have not been written yet.</source>
        <translation>Vos réglages n&apos;ont pas encore été enregistrés.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="27"/>
        <source>Nothing needed writing: your files already held these settings.</source>
        <translation>Aucune écriture nécessaire&#xa0;: vos fichiers contenaient déjà ces réglages.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="31"/>
        <source>Wrote {path}</source>
        <translation>Fichier enregistré&#xa0;: {path}</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="33"/>
        <source> (the previous version is in {backup})</source>
        <translation> (la version précédente se trouve dans {backup})</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="38"/>
        <source>Restart Open Cobalt to use the new settings. Run this wizard again at any time to check your network or change them.</source>
        <translation>Redémarrez Open Cobalt pour utiliser les nouveaux réglages. Vous pouvez relancer cet assistant à tout moment pour vérifier votre réseau ou modifier ces réglages.</translation>
    </message>
</context>
<context>
    <name>ProbeArea</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="145"/>
        <source>live checks of this service will show here.</source>
        <translation>les vérifications en direct de ce service s&apos;afficheront ici.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="156"/>
        <source>%n of {total} checks found a problem.</source>
        <translation>
            <numerusform>%n vérification sur {total} a détecté un problème.</numerusform>
            <numerusform>%n vérifications sur {total} ont détecté un problème.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="159"/>
        <source>All %n checks passed.</source>
        <translation>
            <numerusform>%n vérification réussie.</numerusform>
            <numerusform>Les %n vérifications ont réussi.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="161"/>
        <source>%n not run (see below).</source>
        <translation>
            <numerusform>%n non exécutée (voir ci-dessous).</numerusform>
            <numerusform>%n non exécutées (voir ci-dessous).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ResultList</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="212"/>
        <source>Fix: {fix}</source>
        <translation>Solution&#xa0;: {fix}</translation>
    </message>
</context>
<context>
    <name>RouterPage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="53"/>
        <source>Router exposure</source>
        <translation>Accès via le routeur</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="55"/>
        <source>Friends outside your network reach the spaces you host on TCP ports 6900-6909. Choose how your router lets them in.</source>
        <translation>Vos amis situés hors de votre réseau accèdent aux espaces que vous hébergez par les ports TCP 6900-6909. Choisissez comment votre routeur les laisse entrer.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="60"/>
        <source>How others reach your spaces</source>
        <translation>Comment les autres accèdent à vos espaces</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="65"/>
        <source>&amp;Automatic (UPnP)</source>
        <translation>&amp;Automatique (UPnP)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="66"/>
        <source>Open Cobalt asks your router to open the ports itself whenever it runs. The check below proves your router allows it with a short test forwarding, removed at once.</source>
        <translation>Open Cobalt demande à votre routeur d&apos;ouvrir les ports à chaque exécution. La vérification ci-dessous prouve que votre routeur l&apos;autorise au moyen d&apos;une courte redirection de test, supprimée aussitôt.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="69"/>
        <source>&amp;Manual forwarding</source>
        <translation>Redirection &amp;manuelle</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="70"/>
        <source>The ports stay forwarded to this computer: this wizard forwards them now, or shows the steps to do it in the router&apos;s settings.</source>
        <translation>Les ports restent redirigés vers cet ordinateur&#xa0;: cet assistant les redirige maintenant, ou indique la marche à suivre dans les réglages du routeur.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="72"/>
        <source>&amp;LAN only</source>
        <translation>Réseau &amp;local uniquement</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="73"/>
        <source>Nothing is forwarded: only people on your own network can join your spaces.</source>
        <translation>Aucune redirection&#xa0;: seules les personnes de votre propre réseau peuvent rejoindre vos espaces.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="88"/>
        <source>TeaTime &amp;ports:</source>
        <translation>Ports &amp;TeaTime&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="89"/>
        <source>&amp;Dispatcher port:</source>
        <translation>Port du &amp;dispatcher&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="90"/>
        <source>L&amp;ocal address:</source>
        <translation>Adresse l&amp;ocale&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="91"/>
        <source>Router check</source>
        <translation>Vérification du routeur</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="97"/>
        <source>Forwarding</source>
        <translation>Redirection</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="107"/>
        <source>&amp;Forward the ports now</source>
        <translation>&amp;Rediriger les ports maintenant</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="119"/>
        <source>Steps to forward the ports by hand</source>
        <translation>Étapes pour rediriger les ports manuellement</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="121"/>
        <source>&amp;Copy the steps</source>
        <translation>&amp;Copier les étapes</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="151"/>
        <source>Some TeaTime ports are taken on the router; nothing was changed.</source>
        <translation>Certains ports TeaTime sont déjà utilisés sur le routeur&#xa0;; rien n&apos;a été modifié.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="153"/>
        <source>&amp;Use {first}-{last} instead</source>
        <translation>&amp;Utiliser {first}-{last} à la place</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="162"/>
        <source>&amp;Remove the %n forwardings this wizard made</source>
        <translation>
            <numerusform>Suppr&amp;imer la redirection créée par cet assistant</numerusform>
            <numerusform>Suppr&amp;imer les %n redirections créées par cet assistant</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="281"/>
        <source>The router action stopped unexpectedly ({message}).</source>
        <translation>L&apos;action sur le routeur s&apos;est arrêtée de manière inattendue ({message}).</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="283"/>
        <source>Check again; if it keeps failing, restart the router.</source>
        <translation>Vérifiez de nouveau&#xa0;; si l&apos;échec persiste, redémarrez le routeur.</translation>
    </message>
</context>
<context>
    <name>SetupPage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/base.py" line="102"/>
        <source>Correct the fields above to check this service.</source>
        <translation>Corrigez les champs ci-dessus pour vérifier ce service.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/base.py" line="107"/>
        <source>Checks wait until every setting is valid: {problems}</source>
        <translation>Les vérifications attendent que tous les réglages soient valides&#xa0;: {problems}</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/base.py" line="131"/>
        <source>checking...</source>
        <translation>vérification...</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/base.py" line="144"/>
        <source>The checks stopped unexpectedly ({message}).</source>
        <translation>Les vérifications se sont arrêtées de manière inattendue ({message}).</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/wizard.py" line="27"/>
        <source>Cobalt Network Setup</source>
        <translation>Cobalt Network Setup</translation>
    </message>
</context>
<context>
    <name>SpaceDirectoryPage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="71"/>
        <source>Space Directory and chat</source>
        <translation>Space Directory et chat</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="73"/>
        <source>The Space Directory is the LDAP server where spaces are published and found. Open Cobalt&apos;s default is the Open Cobalt project&apos;s public directory.</source>
        <translation>Le Space Directory est le serveur LDAP où les espaces sont publiés et recherchés. Par défaut, Open Cobalt utilise l&apos;annuaire public du projet Open Cobalt.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="76"/>
        <source>Space Directory (LDAP)</source>
        <translation>Space Directory (LDAP)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="78"/>
        <source>Space Directory &amp;host:</source>
        <translation>&amp;Hôte du Space Directory&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="80"/>
        <source>Space Directory &amp;port:</source>
        <translation>Port du Space &amp;Directory&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="83"/>
        <source>&amp;Use this directory</source>
        <translation>&amp;Utiliser cet annuaire</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="86"/>
        <source>Space Directory check</source>
        <translation>Vérification du Space Directory</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="87"/>
        <source>Chat (Jabber / XMPP)</source>
        <translation>Chat (Jabber / XMPP)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="89"/>
        <source>&amp;Chat server:</source>
        <translation>Serveur de &amp;chat&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="90"/>
        <source>Chat p&amp;ort:</source>
        <translation>P&amp;ort du chat&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="92"/>
        <source>Use this chat &amp;server</source>
        <translation>Utiliser ce serv&amp;eur de chat</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="117"/>
        <source>Space Directory</source>
        <translation>un Space Directory</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="118"/>
        <source>chat server</source>
        <translation>un serveur de chat</translation>
    </message>
</context>
<context>
    <name>SrvOffer</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="50"/>
        <source>{domain} publishes a {what} at {host}:{port} (found on the DNS page).</source>
        <translation>{domain} publie {what} à l&apos;adresse {host}:{port} (découvert sur la page DNS).</translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="66"/>
        <source>Problem:</source>
        <translation>Problème&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="67"/>
        <source>Warning:</source>
        <translation>Avertissement&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="68"/>
        <source>OK:</source>
        <translation>OK&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="69"/>
        <source>Note:</source>
        <translation>Remarque&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="70"/>
        <source>Not checked yet:</source>
        <translation>Pas encore vérifié&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="71"/>
        <source>Checking:</source>
        <translation>Vérification&#xa0;:</translation>
    </message>
</context>
<context>
    <name>SummaryPage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="49"/>
        <source>Summary</source>
        <translation>Résumé</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="51"/>
        <source>Check what will be written. Cancel now and nothing changes on your computer.</source>
        <translation>Vérifiez ce qui va être enregistré. Si vous annulez maintenant, rien ne change sur votre ordinateur.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="54"/>
        <source>&amp;Write settings</source>
        <translation>&amp;Enregistrer les réglages</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="56"/>
        <source>Changes to be written</source>
        <translation>Modifications à enregistrer</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="61"/>
        <source>&amp;Changes:</source>
        <translation>&amp;Modifications&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="66"/>
        <source>Every service, checked with these settings</source>
        <translation>Tous les services, vérifiés avec ces réglages</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="70"/>
        <source>C&amp;opy report</source>
        <translation>&amp;Copier le rapport</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="72"/>
        <source>Copy the checks as Markdown, for a support ticket or a forum post</source>
        <translation>Copier les vérifications au format Markdown, pour une demande d&apos;assistance ou un message sur un forum</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="74"/>
        <source>Sa&amp;ve report...</source>
        <translation>Enregistrer le r&amp;apport...</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="105"/>
        <source>The settings cannot be written: {error}</source>
        <translation>Impossible d&apos;enregistrer les réglages&#xa0;: {error}</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="112"/>
        <source>General preferences</source>
        <translation>Préférences générales</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="114"/>
        <source>Router configuration</source>
        <translation>Configuration du routeur</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="142"/>
        <source>Firewall rules for these settings (shown, not applied)</source>
        <translation>Règles de pare-feu pour ces réglages (affichées, non appliquées)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="145"/>
        <source>If a firewall on this computer or your network blocks Open Cobalt, these are the rules it needs, as commands for Windows, macOS and Linux. Nothing here is run.</source>
        <translation>Si un pare-feu sur cet ordinateur ou sur votre réseau bloque Open Cobalt, voici les règles nécessaires, sous forme de commandes pour Windows, macOS et Linux. Rien n&apos;est exécuté ici.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="154"/>
        <source>Firewall rules</source>
        <translation>Règles de pare-feu</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="155"/>
        <source>Copy firewall &amp;rules</source>
        <translation>Copier les &amp;règles de pare-feu</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="184"/>
        <source>Report copied (Markdown).</source>
        <translation>Rapport copié (Markdown).</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="192"/>
        <source>Save the report</source>
        <translation>Enregistrer le rapport</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="195"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="195"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="213"/>
        <source>The report could not be saved to {path}: {problem}</source>
        <translation>Impossible d&apos;enregistrer le rapport dans {path}&#xa0;: {problem}</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="216"/>
        <source>Report saved to {path}.</source>
        <translation>Rapport enregistré dans {path}.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="223"/>
        <source>No change: this file already says this.</source>
        <translation>Aucun changement&#xa0;: le fichier contient déjà cela.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="227"/>
        <source>(not set)</source>
        <translation>(non défini)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="227"/>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="228"/>
        <source>(empty)</source>
        <translation>(vide)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="234"/>
        <source>Only the layout of the file changes.</source>
        <translation>Seule la mise en forme du fichier change.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="254"/>
        <source>Writing the settings...</source>
        <translation>Enregistrement des réglages...</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="33"/>
        <source>Welcome to Cobalt Network Setup</source>
        <translation>Bienvenue dans Cobalt Network Setup</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="35"/>
        <source>This wizard checks that your network lets Open Cobalt find spaces, chat and share applications, and lets friends join the spaces you host. Nothing is changed until you press Write settings on the last page.</source>
        <translation>Cet assistant vérifie que votre réseau permet à Open Cobalt de trouver des espaces, de discuter et de partager des applications, et que vos amis peuvent rejoindre les espaces que vous hébergez. Rien n&apos;est modifié tant que vous n&apos;avez pas cliqué sur Enregistrer les réglages à la dernière page.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="40"/>
        <source>Open Cobalt &amp;folder:</source>
        <translation>&amp;Dossier d&apos;Open Cobalt&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="43"/>
        <source>Open Cobalt folder</source>
        <translation>Dossier d&apos;Open Cobalt</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="45"/>
        <source>&amp;Browse...</source>
        <translation>&amp;Parcourir...</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="46"/>
        <source>Browse for the Open Cobalt folder</source>
        <translation>Rechercher le dossier d&apos;Open Cobalt</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="50"/>
        <source>Start every page from Open Cobalt&apos;s &amp;defaults instead of my current settings</source>
        <translation>Démarrer chaque page avec les réglages par dé&amp;faut d&apos;Open Cobalt plutôt qu&apos;avec mes réglages actuels</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="59"/>
        <source>&amp;Check my current setup</source>
        <translation>&amp;Vérifier ma configuration actuelle</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="61"/>
        <source>Check every service now with your current settings, then go to the first page with a problem</source>
        <translation>Vérifier maintenant chaque service avec vos réglages actuels, puis aller à la première page présentant un problème</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="71"/>
        <source>The check stopped unexpectedly ({message}).</source>
        <translation>La vérification s&apos;est arrêtée de manière inattendue ({message}).</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="94"/>
        <source>Where is Open Cobalt installed?</source>
        <translation>Où Open Cobalt est-il installé&#xa0;?</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="113"/>
        <source>Open Cobalt found in this folder.</source>
        <translation>Open Cobalt a été trouvé dans ce dossier.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="116"/>
        <source>This folder does not look like an Open Cobalt installation (no config/cobalt-router.conf and no .image file). Check it is the right one; the wizard will create config/cobalt-router.conf there.</source>
        <translation>Ce dossier ne ressemble pas à une installation d&apos;Open Cobalt (ni config/cobalt-router.conf ni fichier .image). Vérifiez qu&apos;il s&apos;agit du bon dossier&#xa0;; l&apos;assistant y créera config/cobalt-router.conf.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="121"/>
        <source>Your current settings cannot be read: {error}. Fix or move that file, then choose the folder again. Nothing will be overwritten.</source>
        <translation>Impossible de lire vos réglages actuels&#xa0;: {error}. Corrigez ou déplacez ce fichier, puis choisissez de nouveau le dossier. Rien ne sera écrasé.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="126"/>
        <source>Troubleshooting re-run: your settings in {path} were found. Every page starts from them, and the last page shows what would change before anything is written.</source>
        <translation>Nouvelle exécution pour dépannage&#xa0;: vos réglages ont été trouvés dans {path}. Chaque page part de ces réglages, et la dernière page indique ce qui changerait avant toute écriture.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="132"/>
        <source>First setup: no settings were found in {path}. The pages start from Open Cobalt&apos;s defaults, and the router page from your existing {conf}.</source>
        <translation>Première configuration&#xa0;: aucun réglage trouvé dans {path}. Les pages partent des réglages par défaut d&apos;Open Cobalt, et la page du routeur de votre fichier {conf} existant.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="137"/>
        <source>First setup: no settings were found in {path}. Every page starts from Open Cobalt&apos;s defaults.</source>
        <translation>Première configuration&#xa0;: aucun réglage trouvé dans {path}. Chaque page part des réglages par défaut d&apos;Open Cobalt.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="159"/>
        <source>Your current settings break a rule, so they cannot be checked: {problems}</source>
        <translation>Vos réglages actuels enfreignent une règle et ne peuvent donc pas être vérifiés&#xa0;: {problems}</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="168"/>
        <source>Checking every service with your current settings...</source>
        <translation>Vérification de chaque service avec vos réglages actuels...</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="180"/>
        <source>All %n checks passed: nothing to fix.</source>
        <translation>
            <numerusform>%n vérification réussie&#xa0;: rien à corriger.</numerusform>
            <numerusform>Les %n vérifications ont réussi&#xa0;: rien à corriger.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="185"/>
        <source>%n checks found a problem; showing the first page concerned.</source>
        <translation>
            <numerusform>%n vérification a détecté un problème&#xa0;; affichage de la première page concernée.</numerusform>
            <numerusform>%n vérifications ont détecté un problème&#xa0;; affichage de la première page concernée.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>XrfbPage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="23"/>
        <source>Shared applications (Xrfb / VNC)</source>
        <translation>Applications partagées (Xrfb / VNC)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="25"/>
        <source>Open Cobalt shows desktop applications in a space through an Xrfb server: it controls it over HTTP and shows its screens over VNC.</source>
        <translation>Open Cobalt affiche des applications de bureau dans un espace grâce à un serveur Xrfb&#xa0;: il le pilote par HTTP et affiche ses écrans par VNC.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="28"/>
        <source>Xrfb server &amp;host address:</source>
        <translation>Adresse de l&apos;&amp;hôte du serveur Xrfb&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="29"/>
        <source>Xrfb server &amp;port number:</source>
        <translation>&amp;Numéro de port du serveur Xrfb&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="30"/>
        <source>&amp;VNC ports:</source>
        <translation>Ports &amp;VNC&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="31"/>
        <source>Xrfb and VNC check</source>
        <translation>Vérification de Xrfb et VNC</translation>
    </message>
</context>
</TS>
