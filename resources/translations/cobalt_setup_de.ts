<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>DnsPage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="53"/>
        <source>Resolver</source>
        <translation>Resolver</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="53"/>
        <source>Provider</source>
        <translation>Anbieter</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="54"/>
        <source>First look-up</source>
        <translation>Erste Abfrage</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="54"/>
        <source>Median</source>
        <translation>Median</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="55"/>
        <source>p90</source>
        <translation>p90</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="55"/>
        <source>Answered</source>
        <translation>Beantwortet</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="56"/>
        <source>Verdict</source>
        <translation>Urteil</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="58"/>
        <source>recommended</source>
        <translation>empfohlen</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="58"/>
        <source>fine</source>
        <translation>gut</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="59"/>
        <source>slow</source>
        <translation>langsam</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="59"/>
        <source>unreliable</source>
        <translation>unzuverlässig</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="60"/>
        <source>dead</source>
        <translation>antwortet nicht</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="60"/>
        <source>hijacks NXDOMAIN</source>
        <translation>verfälscht NXDOMAIN</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="61"/>
        <source>cannot find the dispatcher</source>
        <translation>findet den Dispatcher nicht</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="70"/>
        <source>Name resolution (DNS)</source>
        <translation>Namensauflösung (DNS)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="72"/>
        <source>Open Cobalt&apos;s chat and Space Directory clients look up names through these DNS servers, not always through your computer&apos;s own.</source>
        <translation>Die Chat- und Space-Directory-Clients von Open Cobalt lösen Namen über diese DNS-Server auf, nicht immer über die des eigenen Computers.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="76"/>
        <source>DNS &amp;servers:</source>
        <translation>DNS-&amp;Server:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="76"/>
        <source>Dispatcher &amp;domain:</source>
        <translation>Dispatcher-&amp;Domäne:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="77"/>
        <source>Dispatcher service &amp;type:</source>
        <translation>Dispatcher-Dienst&amp;typ:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="80"/>
        <source>Resolvers</source>
        <translation>Resolver</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="96"/>
        <source>DNS check progress</source>
        <translation>Fortschritt der DNS-Prüfung</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="100"/>
        <source>Resolvers measured</source>
        <translation>Gemessene Resolver</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="107"/>
        <source>The first look-up of each name: the resolver may have to ask other servers.</source>
        <translation>Erste Abfrage jedes Namens: Der Resolver muss unter Umständen andere Server fragen.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="109"/>
        <source>Repeated look-ups, usually answered from the resolver&apos;s cache.</source>
        <translation>Wiederholte Abfragen, meist aus dem Cache des Resolvers beantwortet.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="124"/>
        <source>Use the &amp;recommendation</source>
        <translation>&amp;Empfehlung übernehmen</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="125"/>
        <source>Use the se&amp;lected resolvers</source>
        <translation>&amp;Ausgewählte Resolver verwenden</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="133"/>
        <source>Dispatcher discovery</source>
        <translation>Dispatcher-Suche</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="157"/>
        <source>asking each resolver the names Open Cobalt needs...</source>
        <translation>jeder Resolver wird nach den Namen gefragt, die Open Cobalt benötigt...</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="193"/>
        <source>checking</source>
        <translation>wird geprüft</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="224"/>
        <source>Checked %n resolvers in {seconds:.1f} s.</source>
        <translation>
            <numerusform>%n Resolver in {seconds:.1f} s geprüft.</numerusform>
            <numerusform>%n Resolver in {seconds:.1f} s geprüft.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="227"/>
        <source>Some did not finish in time; their figures are partial.</source>
        <translation>Einige wurden nicht rechtzeitig fertig; ihre Werte sind unvollständig.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="239"/>
        <source>This is what you have chosen.</source>
        <translation>Dies ist die aktuelle Auswahl.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="246"/>
        <source>Enter your organisation&apos;s dispatcher domain above to look for a dispatcher.</source>
        <translation>Oben die Dispatcher-Domäne der Organisation eingeben, um nach einem Dispatcher zu suchen.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="252"/>
        <source>nowhere</source>
        <translation>nirgendwo</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="254"/>
        <source> (priority {priority}, weight {weight})</source>
        <translation> (Priorität {priority}, Gewichtung {weight})</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="256"/>
        <source>Problem:</source>
        <translation>Problem:</translation>
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
        <translation>(der Name lässt sich nicht auflösen)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="272"/>
        <source>Found %n dispatchers in {domain}.</source>
        <translation>
            <numerusform>%n Dispatcher in {domain} gefunden.</numerusform>
            <numerusform>%n Dispatcher in {domain} gefunden.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="276"/>
        <source>No usable dispatcher was found in {domain}.</source>
        <translation>In {domain} wurde kein verwendbarer Dispatcher gefunden.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/dns.py" line="282"/>
        <source>The DNS check stopped unexpectedly ({message}). Your settings are not affected; go Back and Next to try again.</source>
        <translation>Die DNS-Prüfung wurde unerwartet beendet ({message}). Die Einstellungen sind davon nicht betroffen; mit „Zurück“ und „Weiter“ erneut versuchen.</translation>
    </message>
</context>
<context>
    <name>DonePage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="14"/>
        <source>Settings written</source>
        <translation>Einstellungen geschrieben</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="15"/>
        <source>Open Cobalt reads them when it starts.</source>
        <translation>Open Cobalt liest sie beim Start.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="25"/>
        <source>Your settings have not been written yet.</source>
        <translation>Die Einstellungen wurden noch nicht geschrieben.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="27"/>
        <source>Nothing needed writing: your files already held these settings.</source>
        <translation>Nichts zu schreiben: Die Dateien enthielten diese Einstellungen bereits.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="31"/>
        <source>Wrote {path}</source>
        <translation>{path} geschrieben</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="33"/>
        <source> (the previous version is in {backup})</source>
        <translation> (die vorherige Version liegt in {backup})</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/done.py" line="38"/>
        <source>Restart Open Cobalt to use the new settings. Run this wizard again at any time to check your network or change them.</source>
        <translation>Open Cobalt neu starten, um die neuen Einstellungen zu verwenden. Dieser Assistent kann jederzeit erneut ausgeführt werden, um das Netzwerk zu prüfen oder die Einstellungen zu ändern.</translation>
    </message>
</context>
<context>
    <name>ProbeArea</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="145"/>
        <source>live checks of this service will show here.</source>
        <translation>die Live-Prüfungen dieses Dienstes werden hier angezeigt.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="156"/>
        <source>%n of {total} checks found a problem.</source>
        <translation>
            <numerusform>%n von {total} Prüfungen hat ein Problem gefunden.</numerusform>
            <numerusform>%n von {total} Prüfungen haben ein Problem gefunden.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="159"/>
        <source>All %n checks passed.</source>
        <translation>
            <numerusform>%n Prüfung bestanden.</numerusform>
            <numerusform>Alle %n Prüfungen bestanden.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="161"/>
        <source>%n not run (see below).</source>
        <translation>
            <numerusform>%n nicht ausgeführt (siehe unten).</numerusform>
            <numerusform>%n nicht ausgeführt (siehe unten).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ResultList</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="212"/>
        <source>Fix: {fix}</source>
        <translation>Abhilfe: {fix}</translation>
    </message>
</context>
<context>
    <name>RouterPage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="53"/>
        <source>Router exposure</source>
        <translation>Erreichbarkeit über den Router</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="55"/>
        <source>Friends outside your network reach the spaces you host on TCP ports 6900-6909. Choose how your router lets them in.</source>
        <translation>Freunde außerhalb des eigenen Netzwerks erreichen die hier bereitgestellten Räume über die TCP-Ports 6900-6909. Festlegen, wie der Router sie hereinlässt.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="60"/>
        <source>How others reach your spaces</source>
        <translation>Wie andere die eigenen Räume erreichen</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="65"/>
        <source>&amp;Automatic (UPnP)</source>
        <translation>&amp;Automatisch (UPnP)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="66"/>
        <source>Open Cobalt asks your router to open the ports itself whenever it runs. The check below proves your router allows it with a short test forwarding, removed at once.</source>
        <translation>Open Cobalt bittet den Router bei jeder Ausführung, die Ports selbst zu öffnen. Die Prüfung unten weist mit einer kurzen Test-Weiterleitung, die sofort wieder entfernt wird, nach, dass der Router dies zulässt.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="69"/>
        <source>&amp;Manual forwarding</source>
        <translation>&amp;Manuelle Weiterleitung</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="70"/>
        <source>The ports stay forwarded to this computer: this wizard forwards them now, or shows the steps to do it in the router&apos;s settings.</source>
        <translation>Die Ports bleiben dauerhaft an diesen Computer weitergeleitet: Dieser Assistent richtet die Weiterleitung jetzt ein oder zeigt die Schritte dafür in den Router-Einstellungen.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="72"/>
        <source>&amp;LAN only</source>
        <translation>Nur &amp;LAN</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="73"/>
        <source>Nothing is forwarded: only people on your own network can join your spaces.</source>
        <translation>Nichts wird weitergeleitet: Nur Personen im eigenen Netzwerk können den Räumen beitreten.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="88"/>
        <source>TeaTime &amp;ports:</source>
        <translation>TeaTime-&amp;Ports:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="89"/>
        <source>&amp;Dispatcher port:</source>
        <translation>&amp;Dispatcher-Port:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="90"/>
        <source>L&amp;ocal address:</source>
        <translation>L&amp;okale Adresse:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="91"/>
        <source>Router check</source>
        <translation>Router-Prüfung</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="97"/>
        <source>Forwarding</source>
        <translation>Weiterleitung</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="107"/>
        <source>&amp;Forward the ports now</source>
        <translation>Ports &amp;jetzt weiterleiten</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="119"/>
        <source>Steps to forward the ports by hand</source>
        <translation>Schritte zur manuellen Portweiterleitung</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="121"/>
        <source>&amp;Copy the steps</source>
        <translation>Schritte &amp;kopieren</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="151"/>
        <source>Some TeaTime ports are taken on the router; nothing was changed.</source>
        <translation>Einige TeaTime-Ports sind auf dem Router bereits belegt; es wurde nichts geändert.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="153"/>
        <source>&amp;Use {first}-{last} instead</source>
        <translation>Stattdessen {first}-{last} &amp;verwenden</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="162"/>
        <source>&amp;Remove the %n forwardings this wizard made</source>
        <translation>
            <numerusform>Die von diesem Assistenten angelegte Weiterleitung &amp;entfernen</numerusform>
            <numerusform>Die %n von diesem Assistenten angelegten Weiterleitungen &amp;entfernen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="281"/>
        <source>The router action stopped unexpectedly ({message}).</source>
        <translation>Die Router-Aktion wurde unerwartet beendet ({message}).</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/router.py" line="283"/>
        <source>Check again; if it keeps failing, restart the router.</source>
        <translation>Erneut prüfen; falls der Fehler bestehen bleibt, den Router neu starten.</translation>
    </message>
</context>
<context>
    <name>SetupPage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/base.py" line="102"/>
        <source>Correct the fields above to check this service.</source>
        <translation>Die Felder oben korrigieren, um diesen Dienst zu prüfen.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/base.py" line="107"/>
        <source>Checks wait until every setting is valid: {problems}</source>
        <translation>Die Prüfungen warten, bis alle Einstellungen gültig sind: {problems}</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/base.py" line="131"/>
        <source>checking...</source>
        <translation>wird geprüft...</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/base.py" line="144"/>
        <source>The checks stopped unexpectedly ({message}).</source>
        <translation>Die Prüfungen wurden unerwartet beendet ({message}).</translation>
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
        <translation>Space Directory und Chat</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="73"/>
        <source>The Space Directory is the LDAP server where spaces are published and found. Open Cobalt&apos;s default is the Open Cobalt project&apos;s public directory.</source>
        <translation>Das Space Directory ist der LDAP-Server, auf dem Räume veröffentlicht und gefunden werden. Standardmäßig verwendet Open Cobalt das öffentliche Verzeichnis des Open-Cobalt-Projekts.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="76"/>
        <source>Space Directory (LDAP)</source>
        <translation>Space Directory (LDAP)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="78"/>
        <source>Space Directory &amp;host:</source>
        <translation>Space-Directory-&amp;Host:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="80"/>
        <source>Space Directory &amp;port:</source>
        <translation>Space-Directory-&amp;Port:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="83"/>
        <source>&amp;Use this directory</source>
        <translation>Dieses &amp;Verzeichnis verwenden</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="86"/>
        <source>Space Directory check</source>
        <translation>Space-Directory-Prüfung</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="87"/>
        <source>Chat (Jabber / XMPP)</source>
        <translation>Chat (Jabber / XMPP)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="89"/>
        <source>&amp;Chat server:</source>
        <translation>&amp;Chat-Server:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="90"/>
        <source>Chat p&amp;ort:</source>
        <translation>Chat-P&amp;ort:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="92"/>
        <source>Use this chat &amp;server</source>
        <translation>Diesen Chat-&amp;Server verwenden</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="117"/>
        <source>Space Directory</source>
        <translation>ein Space Directory</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="118"/>
        <source>chat server</source>
        <translation>einen Chat-Server</translation>
    </message>
</context>
<context>
    <name>SrvOffer</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/directory.py" line="50"/>
        <source>{domain} publishes a {what} at {host}:{port} (found on the DNS page).</source>
        <translation>{domain} veröffentlicht {what} unter {host}:{port} (auf der DNS-Seite gefunden).</translation>
    </message>
</context>
<context>
    <name>StatusLine</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="66"/>
        <source>Problem:</source>
        <translation>Problem:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="67"/>
        <source>Warning:</source>
        <translation>Warnung:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="68"/>
        <source>OK:</source>
        <translation>OK:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="69"/>
        <source>Note:</source>
        <translation>Hinweis:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="70"/>
        <source>Not checked yet:</source>
        <translation>Noch nicht geprüft:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/widgets.py" line="71"/>
        <source>Checking:</source>
        <translation>Wird geprüft:</translation>
    </message>
</context>
<context>
    <name>SummaryPage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="49"/>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="51"/>
        <source>Check what will be written. Cancel now and nothing changes on your computer.</source>
        <translation>Prüfen, was geschrieben wird. Bei „Abbrechen“ bleibt auf diesem Computer alles unverändert.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="54"/>
        <source>&amp;Write settings</source>
        <translation>Einstellungen &amp;schreiben</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="56"/>
        <source>Changes to be written</source>
        <translation>Zu schreibende Änderungen</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="61"/>
        <source>&amp;Changes:</source>
        <translation>Ä&amp;nderungen:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="66"/>
        <source>Every service, checked with these settings</source>
        <translation>Alle Dienste, mit diesen Einstellungen geprüft</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="70"/>
        <source>C&amp;opy report</source>
        <translation>Bericht &amp;kopieren</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="72"/>
        <source>Copy the checks as Markdown, for a support ticket or a forum post</source>
        <translation>Die Prüfergebnisse als Markdown kopieren, für ein Support-Ticket oder einen Forenbeitrag</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="74"/>
        <source>Sa&amp;ve report...</source>
        <translation>Bericht s&amp;peichern...</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="105"/>
        <source>The settings cannot be written: {error}</source>
        <translation>Die Einstellungen können nicht geschrieben werden: {error}</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="112"/>
        <source>General preferences</source>
        <translation>Allgemeine Einstellungen</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="114"/>
        <source>Router configuration</source>
        <translation>Router-Konfiguration</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="142"/>
        <source>Firewall rules for these settings (shown, not applied)</source>
        <translation>Firewall-Regeln für diese Einstellungen (nur angezeigt, nicht angewendet)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="145"/>
        <source>If a firewall on this computer or your network blocks Open Cobalt, these are the rules it needs, as commands for Windows, macOS and Linux. Nothing here is run.</source>
        <translation>Falls eine Firewall auf diesem Computer oder im Netzwerk Open Cobalt blockiert, sind dies die benötigten Regeln, als Befehle für Windows, macOS und Linux. Hier wird nichts ausgeführt.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="154"/>
        <source>Firewall rules</source>
        <translation>Firewall-Regeln</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="155"/>
        <source>Copy firewall &amp;rules</source>
        <translation>Firewall-&amp;Regeln kopieren</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="184"/>
        <source>Report copied (Markdown).</source>
        <translation>Bericht kopiert (Markdown).</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="192"/>
        <source>Save the report</source>
        <translation>Bericht speichern</translation>
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
        <translation>Der Bericht konnte nicht unter {path} gespeichert werden: {problem}</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="216"/>
        <source>Report saved to {path}.</source>
        <translation>Bericht unter {path} gespeichert.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="223"/>
        <source>No change: this file already says this.</source>
        <translation>Keine Änderung: Die Datei enthält das bereits.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="227"/>
        <source>(not set)</source>
        <translation>(nicht festgelegt)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="227"/>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="228"/>
        <source>(empty)</source>
        <translation>(leer)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="234"/>
        <source>Only the layout of the file changes.</source>
        <translation>Nur die Formatierung der Datei ändert sich.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/summary.py" line="254"/>
        <source>Writing the settings...</source>
        <translation>Die Einstellungen werden geschrieben...</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="33"/>
        <source>Welcome to Cobalt Network Setup</source>
        <translation>Willkommen bei Cobalt Network Setup</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="35"/>
        <source>This wizard checks that your network lets Open Cobalt find spaces, chat and share applications, and lets friends join the spaces you host. Nothing is changed until you press Write settings on the last page.</source>
        <translation>Dieser Assistent prüft, ob das Netzwerk es Open Cobalt erlaubt, Räume zu finden, zu chatten und Anwendungen freizugeben, und ob Freunde den selbst bereitgestellten Räumen beitreten können. Es wird nichts geändert, bevor auf der letzten Seite „Einstellungen schreiben“ gewählt wird.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="40"/>
        <source>Open Cobalt &amp;folder:</source>
        <translation>Open-Cobalt-&amp;Ordner:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="43"/>
        <source>Open Cobalt folder</source>
        <translation>Open-Cobalt-Ordner</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="45"/>
        <source>&amp;Browse...</source>
        <translation>&amp;Durchsuchen...</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="46"/>
        <source>Browse for the Open Cobalt folder</source>
        <translation>Nach dem Open-Cobalt-Ordner suchen</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="50"/>
        <source>Start every page from Open Cobalt&apos;s &amp;defaults instead of my current settings</source>
        <translation>Jede Seite mit den &amp;Standardwerten von Open Cobalt statt mit den aktuellen Einstellungen beginnen</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="59"/>
        <source>&amp;Check my current setup</source>
        <translation>Aktuelle Einrichtung &amp;prüfen</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="61"/>
        <source>Check every service now with your current settings, then go to the first page with a problem</source>
        <translation>Alle Dienste jetzt mit den aktuellen Einstellungen prüfen und dann zur ersten Seite mit einem Problem wechseln</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="71"/>
        <source>The check stopped unexpectedly ({message}).</source>
        <translation>Die Prüfung wurde unerwartet beendet ({message}).</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="94"/>
        <source>Where is Open Cobalt installed?</source>
        <translation>Wo ist Open Cobalt installiert?</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="113"/>
        <source>Open Cobalt found in this folder.</source>
        <translation>Open Cobalt in diesem Ordner gefunden.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="116"/>
        <source>This folder does not look like an Open Cobalt installation (no config/cobalt-router.conf and no .image file). Check it is the right one; the wizard will create config/cobalt-router.conf there.</source>
        <translation>Dieser Ordner sieht nicht wie eine Open-Cobalt-Installation aus (keine config/cobalt-router.conf und keine .image-Datei). Prüfen, ob es der richtige Ordner ist; der Assistent legt dort config/cobalt-router.conf an.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="121"/>
        <source>Your current settings cannot be read: {error}. Fix or move that file, then choose the folder again. Nothing will be overwritten.</source>
        <translation>Die aktuellen Einstellungen können nicht gelesen werden: {error}. Diese Datei korrigieren oder verschieben und dann den Ordner erneut wählen. Es wird nichts überschrieben.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="126"/>
        <source>Troubleshooting re-run: your settings in {path} were found. Every page starts from them, and the last page shows what would change before anything is written.</source>
        <translation>Erneuter Durchlauf zur Fehlersuche: Die Einstellungen in {path} wurden gefunden. Jede Seite beginnt mit ihnen, und die letzte Seite zeigt vor dem Schreiben, was sich ändern würde.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="132"/>
        <source>First setup: no settings were found in {path}. The pages start from Open Cobalt&apos;s defaults, and the router page from your existing {conf}.</source>
        <translation>Ersteinrichtung: In {path} wurden keine Einstellungen gefunden. Die Seiten beginnen mit den Standardwerten von Open Cobalt, die Router-Seite mit der vorhandenen Datei {conf}.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="137"/>
        <source>First setup: no settings were found in {path}. Every page starts from Open Cobalt&apos;s defaults.</source>
        <translation>Ersteinrichtung: In {path} wurden keine Einstellungen gefunden. Jede Seite beginnt mit den Standardwerten von Open Cobalt.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="159"/>
        <source>Your current settings break a rule, so they cannot be checked: {problems}</source>
        <translation>Die aktuellen Einstellungen verstoßen gegen eine Regel und können daher nicht geprüft werden: {problems}</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="168"/>
        <source>Checking every service with your current settings...</source>
        <translation>Alle Dienste werden mit den aktuellen Einstellungen geprüft...</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="180"/>
        <source>All %n checks passed: nothing to fix.</source>
        <translation>
            <numerusform>%n Prüfung bestanden: nichts zu beheben.</numerusform>
            <numerusform>Alle %n Prüfungen bestanden: nichts zu beheben.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/cobalt_setup/gui/pages/welcome.py" line="185"/>
        <source>%n checks found a problem; showing the first page concerned.</source>
        <translation>
            <numerusform>%n Prüfung hat ein Problem gefunden; die erste betroffene Seite wird angezeigt.</numerusform>
            <numerusform>%n Prüfungen haben ein Problem gefunden; die erste betroffene Seite wird angezeigt.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>XrfbPage</name>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="23"/>
        <source>Shared applications (Xrfb / VNC)</source>
        <translation>Freigegebene Anwendungen (Xrfb / VNC)</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="25"/>
        <source>Open Cobalt shows desktop applications in a space through an Xrfb server: it controls it over HTTP and shows its screens over VNC.</source>
        <translation>Open Cobalt zeigt Desktop-Anwendungen in einem Raum über einen Xrfb-Server an: Es steuert ihn über HTTP und zeigt seine Bildschirme über VNC.</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="28"/>
        <source>Xrfb server &amp;host address:</source>
        <translation>&amp;Hostadresse des Xrfb-Servers:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="29"/>
        <source>Xrfb server &amp;port number:</source>
        <translation>&amp;Portnummer des Xrfb-Servers:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="30"/>
        <source>&amp;VNC ports:</source>
        <translation>&amp;VNC-Ports:</translation>
    </message>
    <message>
        <location filename="../../app/cobalt_setup/gui/pages/xrfb.py" line="31"/>
        <source>Xrfb and VNC check</source>
        <translation>Xrfb- und VNC-Prüfung</translation>
    </message>
</context>
</TS>
